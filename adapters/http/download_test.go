package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"storagegw/application"
)

func TestRequestedRange(t *testing.T) {
	t.Parallel()
	br := func(s, e int64) *application.ByteRange { return &application.ByteRange{Start: s, End: e} }
	tests := []struct {
		header, ifRange string
		want            *application.ByteRange
	}{
		{"", "", nil},
		{"bytes=0-9", "", br(0, 9)},
		{"bytes=5-", "", br(5, -1)},
		{"bytes=-20", "", br(-1, 20)},
		{"bytes=-0", "", br(-1, 0)},
		{"bytes= 3-4", "", br(3, 4)},
		{"bytes=9-5", "", nil},     // inverted: malformed, ignored
		{"bytes=0-1,5-6", "", nil}, // several ranges: whole file
		{"bytes=a-b", "", nil},
		{"bytes=-", "", nil},
		{"bytes=+1-2", "", nil},
		{"bytes=1", "", nil},
		{"bytes=99999999999999999999-", "", nil},
		{"items=0-9", "", nil},
		{"bytes=0-9", `"etag"`, nil}, // conditional ranges are not honoured
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.header != "" {
			req.Header.Set("Range", tc.header)
		}
		if tc.ifRange != "" {
			req.Header.Set("If-Range", tc.ifRange)
		}
		got := requestedRange(req)
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("Range %q: got %+v, want %+v", tc.header, got, tc.want)
		}
	}
}
