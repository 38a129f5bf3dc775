package httpapi

import (
	"mime"
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

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		disposition, name, want string
	}{
		{"inline", "report.pdf", `inline; filename=report.pdf; filename*=UTF-8''report.pdf`},
		{"attachment", "my report.pdf", `attachment; filename="my report.pdf"; filename*=UTF-8''my%20report.pdf`},
		{"attachment", `say "hi".txt`, `attachment; filename="say \"hi\".txt"; filename*=UTF-8''say%20%22hi%22.txt`},
		{"attachment", "€ invoice ünï.pdf", `attachment; filename="_ invoice _n_.pdf"; filename*=UTF-8''%E2%82%AC%20invoice%20%C3%BCn%C3%AF.pdf`},
		{"attachment", "a\\b%c\x01.txt", `attachment; filename=a_b_c_.txt; filename*=UTF-8''a%5Cb%25c%01.txt`},
		{"anything else", "x.txt", `inline; filename=x.txt; filename*=UTF-8''x.txt`},
		{"inline", "", "inline"},
	}
	for _, tc := range tests {
		got := contentDisposition(tc.disposition, tc.name)
		if got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.name, got, tc.want)
		}
		// What a browser would read back: the exact name.
		if _, params, err := mime.ParseMediaType(got); tc.name != "" && (err != nil || params["filename"] != tc.name) {
			t.Errorf("%q: parses back as %q, %v", tc.name, params["filename"], err)
		}
	}
}
