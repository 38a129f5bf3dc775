package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"storagegw/domain"
)

// untouchable is a request body that fails the test when it is read.
type untouchable struct{ t *testing.T }

func (b untouchable) Read([]byte) (int, error) {
	b.t.Error("the body was read before the caller was admitted")
	return 0, http.ErrBodyReadAfterClose
}

func (b untouchable) Close() error { return nil }

// TestRefusedCallerBodyIsNotRead: on every route with a body, a role that
// may not use it is answered 403 without a byte of the body read, with
// the connection closed, and the refusal is the request's one audit
// event, under the use case's own action.
func TestRefusedCallerBodyIsNotRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		role         domain.Role
		action       domain.Action
	}{
		{http.MethodPost, "/api/storage/upload", domain.RoleViewer, domain.ActionUpload},
		{http.MethodPost, "/api/storage/upload", domain.RoleAuditor, domain.ActionUpload},
		{http.MethodPost, "/api/storage/receipt-upload", domain.RoleViewer, domain.ActionUpload},
		{http.MethodPost, "/api/storage/app-zip-upload", domain.RoleViewer, domain.ActionUpload},
		{http.MethodPost, "/api/storage/signed-url", domain.RoleAuditor, domain.ActionSignedURLGenerated},
		{http.MethodDelete, "/api/storage/delete", domain.RoleViewer, domain.ActionDelete},
		{http.MethodPost, "/api/storage/restore", domain.RoleMember, domain.ActionRestore},
		{http.MethodPost, "/api/storage/multipart/initiate", domain.RoleViewer, domain.ActionMultipartInitiate},
		{http.MethodPost, "/api/storage/multipart/parts", domain.RoleViewer, domain.ActionMultipartPartURLs},
		{http.MethodPost, "/api/storage/multipart/complete", domain.RoleViewer, domain.ActionUpload},
		{http.MethodPost, "/api/storage/multipart/abort", domain.RoleAuditor, domain.ActionMultipartAbort},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+string(tt.role), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Body = untouchable{t}
			req.ContentLength = 1 << 20
			req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			rec := h.do(req, token(t, "org-1", string(tt.role)))
			wantError(t, "refused caller", rec, http.StatusForbidden, "forbidden")
			if got := rec.Header().Get("Connection"); got != "close" {
				t.Errorf("Connection: got %q, want close", got)
			}
			evs := h.audit.Events()
			if len(evs) != 1 {
				t.Fatalf("got %d audit events, want 1", len(evs))
			}
			if d := evs[0].Data(); d.Action != tt.action || d.Success || d.Actor.Role != tt.role {
				t.Errorf("got event %s success=%v by %s, want a failed %s by %s", d.Action, d.Success, d.Actor.Role, tt.action, tt.role)
			}
		})
	}
}

// TestAdmittedRequestHasOneEvent: an admitted request's admission writes
// nothing; the use case writes its one event.
func TestAdmittedRequestHasOneEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.uploadPNG(t, "org-1", "a.png", 64)
	rec := h.doJSON(t, http.MethodPost, "/api/storage/signed-url", `{"file_path": "org-1/workspace/doc/d1/a.png"}`,
		token(t, "org-1", "viewer"))
	if rec.Code != http.StatusOK {
		t.Fatalf("signed-url: got %d %s", rec.Code, rec.Body.String())
	}
	evs := h.audit.Events()
	if len(evs) != 2 || evs[0].Action() != domain.ActionUpload || evs[1].Action() != domain.ActionSignedURLGenerated {
		t.Errorf("got %d events, want UPLOAD then SIGNED_URL_GENERATED", len(evs))
	}
}
