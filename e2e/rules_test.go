package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAPIContentRulesAreAudited sends files that break the app-builder
// kind's content rule (a name ending in .zip, a readable archive) through
// every route that stores one. Each is answered as before and leaves
// exactly one failed audit event, written by the use case that refused it.
func TestAPIContentRulesAreAudited(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	broken := append([]byte("PK\x03\x04"), make([]byte, 200)...)
	tests := []struct {
		name string
		// refusal prepares what the refused request needs and returns it.
		refusal func(tok string) func() response
		status  int
		code    string
		action  string
	}{
		{"app-zip-upload: a name without .zip", func(tok string) func() response {
			return func() response {
				return a.Upload("/api/storage/app-zip-upload", tok, [][2]string{{"object_id", "app-1"}}, "app.txt", broken)
			}
		}, http.StatusBadRequest, "zip_extension_required", "UPLOAD"},
		{"app-zip-upload: a broken archive", func(tok string) func() response {
			return func() response {
				return a.Upload("/api/storage/app-zip-upload", tok, [][2]string{{"object_id", "app-1"}}, "broken.zip", broken)
			}
		}, http.StatusUnsupportedMediaType, "not_a_zip", "UPLOAD"},
		{"upload: an app-builder name without .zip", func(tok string) func() response {
			return func() response {
				return a.Upload("/api/storage/upload", tok, [][2]string{{"system", "app-builder"}, {"object_type", "build"},
					{"object_id", "app-1"}}, "payload.exe", broken)
			}
		}, http.StatusBadRequest, "zip_extension_required", "UPLOAD"},
		{"multipart initiate: a name without .zip", func(tok string) func() response {
			return func() response {
				return a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", tok,
					`{"system": "app-builder", "object_type": "source", "object_id": "app-1", "filename": "app.txt", "size": 100}`)
			}
		}, http.StatusBadRequest, "zip_extension_required", "MULTIPART_INITIATE"},
		{"multipart complete: a broken archive", func(tok string) func() response {
			s := a.initiate(tok, `"system": "app-builder", "object_type": "source", "object_id": "app-1", "filename": "app.zip"`, len(broken))
			parts := a.putParts(a.partURLs(tok, s), s.PartSize, broken)
			return func() response { return a.complete(tok, s.UploadID, parts) }
		}, http.StatusUnsupportedMediaType, "not_a_zip", "UPLOAD"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			org := fmt.Sprintf("org-%d", i)
			tok := a.Token(org, "member")
			refused := tc.refusal(tok)
			before := a.auditIDs(org)
			want(t, tc.name, refused(), tc.status, tc.code)
			var events []auditItem
			for _, ev := range a.AuditLog(org, "") {
				if !before[ev.ID] && ev.ActionType != "AUDIT_QUERY" {
					events = append(events, ev)
				}
			}
			if len(events) != 1 {
				t.Fatalf("audit events of the refused request: got %+v, want exactly one", events)
			}
			ev := events[0]
			if ev.ActionType != tc.action || ev.Success || ev.ErrorMessage == nil || !strings.HasPrefix(*ev.ErrorMessage, tc.code+": ") {
				t.Errorf("audit event: got %s success=%v %v, want a failed %s with %s", ev.ActionType, ev.Success, ev.ErrorMessage, tc.action, tc.code)
			}
			if r := a.Get("/api/storage/files?system=app-builder", tok); r.Status != http.StatusOK || strings.Contains(string(r.Body), "app-1") {
				t.Errorf("a refused file was recorded: %d %s", r.Status, r.Body)
			}
		})
	}
}

// auditIDs is the set of ids of org's audit events so far.
func (a *api) auditIDs(org string) map[string]bool {
	ids := map[string]bool{}
	for _, ev := range a.AuditLog(org, "") {
		ids[ev.ID] = true
	}
	return ids
}
