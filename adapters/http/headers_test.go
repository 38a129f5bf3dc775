package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAPIHeaders: every answer, success or error, routed or not, tells
// caches not to keep it and browsers not to sniff it.
func TestAPIHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "admin")
	tests := []struct {
		name, method, target, tok string
		body                      string
		wantStatus                int
	}{
		{"health", http.MethodGet, "/healthz", "", "", http.StatusOK},
		{"openapi", http.MethodGet, "/api/storage/openapi.json", "", "", http.StatusOK},
		{"list", http.MethodGet, "/api/storage/files", tok, "", http.StatusOK},
		{"signed url refused", http.MethodPost, "/api/storage/signed-url", tok, `{"file_path":"org-1/workspace/doc/d/missing.pdf"}`, http.StatusNotFound},
		{"no token", http.MethodGet, "/api/storage/files", "", "", http.StatusUnauthorized},
		{"no route", http.MethodGet, "/nowhere", "", "", http.StatusNotFound},
		{"wrong method", http.MethodPut, "/api/storage/files", tok, "", http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := h.do(req, tc.tok)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status: got %d, want %d (%s)", rec.Code, tc.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store", got)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
			}
		})
	}
}
