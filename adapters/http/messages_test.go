package httpapi

import (
	"net/http"
	"testing"

	"storagegw/domain"
)

// TestBodyLimitMessages: a body over the adapter's own bounds is 413 with
// the bound in binary units.
func TestBodyLimitMessages(t *testing.T) {
	t.Parallel()
	_, headerErr := (&headerCap{left: 0}).Read(make([]byte, 1))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"upload form", bodyError(&http.MaxBytesError{Limit: 512<<20 + 64<<10}),
			"The request body is larger than 512.06 MiB (536936448 bytes), the most any upload form may hold."},
		{"part header", headerErr,
			"A form part's header is longer than 8 KiB."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, msg := domain.PublicMessage(tc.err)
			if msg != tc.want || statusOf(tc.err) != http.StatusRequestEntityTooLarge {
				t.Errorf("got %d %s %q, want 413 %q", statusOf(tc.err), code, msg, tc.want)
			}
		})
	}
}
