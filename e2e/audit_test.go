package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAPIAuditTrail(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	start := time.Now().UTC().Add(-time.Second)
	ua := http.Header{"User-Agent": {"frontend/2.1 (PWA)"}}
	member, viewer := a.Token("org-1", "member"), a.Token("org-1", "viewer")
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	a.Upload("/api/storage/upload", viewer, [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d9"}}, "v.png", pngOf(10))
	a.Do(http.MethodDelete, "/api/storage/delete", member, strings.NewReader(`{"file_path":"`+rec.FilePath+`","hard":true}`), ua)
	a.Do(http.MethodGet, "/api/storage/metadata/"+rec.FilePath, viewer, nil, ua)

	rows := a.AuditLog("org-1", "")
	byAction := map[string][]auditItem{}
	for _, ev := range rows {
		byAction[ev.ActionType] = append(byAction[ev.ActionType], ev)
		if ev.OrgID != "org-1" || ev.ID == "" || ev.IPAddress != "127.0.0.1" || ev.Metadata == nil {
			t.Errorf("row %+v: want org-1, an id, the client IP and metadata", ev)
		}
		if _, err := time.Parse(time.RFC3339, ev.Timestamp); err != nil {
			t.Errorf("timestamp %q: %v", ev.Timestamp, err)
		}
	}
	uploads := byAction["UPLOAD"]
	if len(uploads) != 2 || uploads[0].Success || uploads[0].UserRole != "viewer" || uploads[0].ErrorMessage == nil ||
		!strings.HasPrefix(*uploads[0].ErrorMessage, "forbidden") || !uploads[1].Success || uploads[1].FilePath != rec.FilePath ||
		uploads[1].RelatedObjectType != "doc" || uploads[1].RelatedObjectID != "d1" || uploads[1].ErrorMessage != nil {
		t.Errorf("UPLOAD rows (newest first): got %+v, want the viewer's denial and the member's success", uploads)
	}
	del := byAction["DELETE"]
	if len(del) != 1 || del[0].Success || del[0].UserID != "member-org-1" || del[0].UserAgent != "frontend/2.1 (PWA)" ||
		del[0].Metadata["hard"] != true || del[0].ErrorMessage == nil || !strings.HasPrefix(*del[0].ErrorMessage, "forbidden") {
		t.Errorf("DELETE rows: got %+v, want the member's denied hard delete", del)
	}
	if view := byAction["VIEW"]; len(view) != 1 || !view[0].Success || view[0].UserRole != "viewer" {
		t.Errorf("VIEW rows: got %+v", view)
	}

	// The use cases check the role before they parse the path, so the
	// denied hard delete carries no path; the denied upload, refused before
	// its form was read, knows neither its path nor its type.
	filters := map[string]int{
		"success=false":                              2,
		"user_id=viewer-org-1":                       2,
		"action_type=UPLOAD":                         2,
		"related_object_id=d1":                       2,
		"related_object_type=doc":                    2,
		"file_path=" + url.QueryEscape(rec.FilePath): 2,
		"action_type=UPLOAD&from=" + start.Format(time.RFC3339Nano): 2,
		"action_type=UPLOAD&to=" + start.Format(time.RFC3339Nano):   0,
		"action_type=UPLOAD&success=true&user_id=member-org-1":      1,
	}
	for q, n := range filters {
		if got := a.AuditLog("org-1", q); len(got) != n {
			t.Errorf("%s: got %d rows, want %d", q, len(got), n)
		}
	}
	var seen []string
	cursor := ""
	for range 10 {
		r := a.Get("/api/storage/audit-logs?action_type=UPLOAD&limit=1&cursor="+cursor, a.Token("org-1", "auditor"))
		var page struct {
			Items      []auditItem `json:"items"`
			NextCursor *string     `json:"next_cursor"`
		}
		r.JSON(t, &page)
		for _, it := range page.Items {
			seen = append(seen, it.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = url.QueryEscape(*page.NextCursor)
	}
	if len(seen) != 2 || seen[0] != uploads[0].ID || seen[1] != uploads[1].ID {
		t.Errorf("paging by 1: got %v, want %s then %s", seen, uploads[0].ID, uploads[1].ID)
	}

	admin := a.Token("org-1", "admin")
	for q, code := range map[string]string{
		"from=yesterday": "invalid_from", "to=2026-13-01T00:00:00Z": "invalid_to", "success=maybe": "invalid_success",
		"limit=501": "invalid_limit", "action_type=READ": "invalid_action_type", "cursor=%21": "invalid_cursor",
		"from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z": "invalid_time_range",
	} {
		want(t, q, a.Get("/api/storage/audit-logs?"+q, admin), http.StatusBadRequest, code)
	}
	for _, role := range []string{"viewer", "member"} {
		want(t, role, a.Get("/api/storage/audit-logs", a.Token("org-1", role)), http.StatusForbidden, "forbidden")
	}
	if r := a.Get("/api/storage/audit-logs", a.Token("org-1", "auditor")); r.Status != http.StatusOK {
		t.Errorf("auditor: got %d %s", r.Status, r.Body)
	}
	var forbidden []string
	for _, ev := range a.AuditLog("org-1", "action_type=AUDIT_QUERY&success=false") {
		if strings.HasPrefix(*ev.ErrorMessage, "forbidden") {
			forbidden = append(forbidden, ev.UserRole)
		}
	}
	if strings.Join(forbidden, ",") != "member,viewer" {
		t.Errorf("denied audit queries: got %v, want the member's and the viewer's", forbidden)
	}
	if other := a.AuditLog("org-2", "action_type=UPLOAD"); len(other) != 0 {
		t.Errorf("org-2's admin sees %d of org-1's rows", len(other))
	}
}
