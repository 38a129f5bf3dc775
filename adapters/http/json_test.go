package httpapi

import (
	"net/http"
	"testing"
)

// TestJSONBodyMustBeUTF8: a JSON body with an invalid UTF-8 byte is 400
// invalid_text on every JSON route, not decoded into U+FFFD and passed
// on; NUL, escaped, decodes and is the use case's to refuse (audited).
func TestJSONBodyMustBeUTF8(t *testing.T) {
	t.Parallel()
	routes := []struct{ method, path, role string }{
		{http.MethodPost, "/api/storage/signed-url", "viewer"},
		{http.MethodDelete, "/api/storage/delete", "member"},
		{http.MethodPost, "/api/storage/restore", "admin"},
		{http.MethodPost, "/api/storage/multipart/initiate", "member"},
		{http.MethodPost, "/api/storage/multipart/parts", "member"},
		{http.MethodPost, "/api/storage/multipart/complete", "member"},
		{http.MethodPost, "/api/storage/multipart/abort", "member"},
	}
	for _, r := range routes {
		t.Run(r.path, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			rec := h.doJSON(t, r.method, r.path, "{\"file_path\": \"org-1/workspace/doc/d1/a\xff.png\"}", token(t, "org-1", r.role))
			wantError(t, "invalid byte", rec, http.StatusBadRequest, "invalid_text")
			if n := len(h.audit.Events()); n != 0 {
				t.Errorf("got %d audit events, want none (the body did not decode)", n)
			}
		})
	}
	h := newHarness(t)
	rec := h.doJSON(t, http.MethodPost, "/api/storage/signed-url", `{"file_path": "org-1/workspace/doc/d1/a\u0000.png"}`,
		token(t, "org-1", "viewer"))
	wantError(t, "escaped NUL", rec, http.StatusBadRequest, "invalid_path")
	if n := len(h.audit.Events()); n != 1 {
		t.Errorf("escaped NUL: got %d audit events, want 1", n)
	}
}
