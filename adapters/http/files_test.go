package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestStrictJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	f := h.uploadPNG(t, "org-1", "a.png", 100)
	tok := token(t, "org-1", "admin")
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"unknown field", `{"file_path":"` + f.FilePath + `","extra":1}`, http.StatusBadRequest, "unknown_field"},
		{"malformed", `{"file_path":`, http.StatusBadRequest, "invalid_json"},
		{"not an object", `["x"]`, http.StatusBadRequest, "invalid_json"},
		{"empty body", ``, http.StatusBadRequest, "invalid_json"},
		{"two objects", `{"file_path":"x"}{"file_path":"y"}`, http.StatusBadRequest, "invalid_json"},
		{"wrong type", `{"file_path":"` + f.FilePath + `","expires_in":"60"}`, http.StatusBadRequest, "invalid_json"},
		{"fractional expiry", `{"file_path":"` + f.FilePath + `","expires_in":60.5}`, http.StatusBadRequest, "invalid_json"},
		{"zero expiry", `{"file_path":"` + f.FilePath + `","expires_in":0}`, http.StatusBadRequest, "invalid_expires_in"},
		{"huge expiry", `{"file_path":"` + f.FilePath + `","expires_in":99999999999999}`, http.StatusBadRequest, "invalid_expires_in"},
		{"too large", `{"file_path":"` + strings.Repeat("a", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, "body_too_large"},
		// Past the bound is 413 whatever the bytes are: whitespace
		// padding after, before or inside a valid object included.
		{"padded after", `{"file_path":"` + f.FilePath + `"}` + strings.Repeat(" ", 70<<10), http.StatusRequestEntityTooLarge, "body_too_large"},
		{"padded before", strings.Repeat("\n", 70<<10) + `{"file_path":"` + f.FilePath + `"}`, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"padded inside", `{"file_path":` + strings.Repeat("\t", 70<<10) + `"` + f.FilePath + `"}`, http.StatusRequestEntityTooLarge, "body_too_large"},
	}
	for _, tc := range tests {
		wantError(t, tc.name, h.doJSON(t, http.MethodPost, "/api/storage/signed-url", tc.body, tok), tc.status, tc.code)
	}
	// A value that decodes reaches the use case, which audits the refusal;
	// 0 is no exception.
	for _, secs := range []string{"0", "5", "99999999999999"} {
		before := len(h.audit.Events())
		h.doJSON(t, http.MethodPost, "/api/storage/signed-url", `{"file_path":"`+f.FilePath+`","expires_in":`+secs+`}`, tok)
		if ev := h.lastEvent(t); len(h.audit.Events()) != before+1 || ev.Action != "SIGNED_URL_GENERATED" || ev.Success {
			t.Errorf("expires_in %s: got %+v, want one more event, a failed SIGNED_URL_GENERATED", secs, ev)
		}
	}
	wantError(t, "delete: hard as a string", h.doJSON(t, http.MethodDelete, "/api/storage/delete",
		`{"file_path":"`+f.FilePath+`","hard":"true"}`, tok), http.StatusBadRequest, "invalid_json")
}

func TestSignedURLAndDownload(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	f := h.uploadPNG(t, "org-1", "a.png", 5000)
	rec := h.doJSON(t, http.MethodPost, "/api/storage/signed-url",
		`{"file_path":"`+f.FilePath+`","expires_in":120,"disposition":"attachment"}`, token(t, "org-1", "viewer"))
	if rec.Code != http.StatusOK {
		t.Fatalf("signed-url: got %d %s", rec.Code, rec.Body.String())
	}
	out := decode[signURLResponse](t, rec)
	exp, err := time.Parse(time.RFC3339, out.ExpiresAt)
	if out.ExpiresIn != 120 || err != nil || time.Until(exp) > 121*time.Second || time.Until(exp) < 100*time.Second {
		t.Errorf("got %+v, want expiry in 120s", out)
	}
	u, err := url.Parse(out.URL)
	if err != nil || u.Path != blobRoute {
		t.Fatalf("url %q: want one under %s", out.URL, blobRoute)
	}
	get := func(rangeHeader string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
		if rangeHeader != "" {
			req.Header.Set("Range", rangeHeader)
		}
		return h.do(req, "")
	}
	full := get("")
	want := pngBytes(5000)
	hd := full.Header()
	if full.Code != http.StatusOK || full.Body.String() != string(want) || hd.Get("Content-Type") != "image/png" ||
		hd.Get("Content-Disposition") != `attachment; filename=a.png; filename*=UTF-8''a.png` ||
		hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Cache-Control") != "private, no-store" ||
		hd.Get("Accept-Ranges") != "bytes" || hd.Get("ETag") != `"`+f.SHA256+`"` || hd.Get("Content-Length") != "5000" ||
		hd.Get("Content-Security-Policy") != blobCSP || !strings.Contains(blobCSP, "sandbox") {
		t.Errorf("download: got %d, %d bytes, headers %v", full.Code, full.Body.Len(), hd)
	}
	if ev := h.lastEvent(t); ev.Action != "DOWNLOAD" || !ev.Success || ev.Actor.UserID != "user-viewer" || ev.Actor.Role != "viewer" {
		t.Errorf("audit: got %+v", ev)
	}
	part := get("bytes=10-19")
	if part.Code != http.StatusPartialContent || part.Body.String() != string(want[10:20]) ||
		part.Header().Get("Content-Range") != "bytes 10-19/5000" || part.Header().Get("Content-Length") != "10" {
		t.Errorf("range: got %d %q, Content-Range %q", part.Code, part.Body.String(), part.Header().Get("Content-Range"))
	}
	bad := get("bytes=5000-")
	wantError(t, "unsatisfiable", bad, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")
	if bad.Header().Get("Content-Range") != "bytes */5000" {
		t.Errorf("416: Content-Range %q, want bytes */5000", bad.Header().Get("Content-Range"))
	}
	q := u.Query()
	tok, mid := q.Get("t"), len(q.Get("t"))/2
	other := map[bool]string{true: "B", false: "A"}[tok[mid] == 'A']
	q.Set("t", tok[:mid]+other+tok[mid+1:]) // one character of the opaque token changed
	wantError(t, "tampered", h.do(httptest.NewRequest(http.MethodGet, blobRoute+"?"+q.Encode(), nil), ""),
		http.StatusForbidden, "signature_invalid")
}

func TestMetadataHeadListDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	f := h.uploadPNG(t, "org-1", "a.png", 100)
	h.uploadPNG(t, "org-2", "a.png", 100)
	viewer, member, admin := token(t, "org-1", "viewer"), token(t, "org-1", "member"), token(t, "org-1", "admin")

	rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/metadata/"+f.FilePath, nil), viewer)
	got := decode[fileRecordJSON](t, rec)
	if rec.Code != http.StatusOK || got != f {
		t.Errorf("metadata: got %d %+v, want %+v", rec.Code, got, f)
	}
	if !strings.Contains(rec.Body.String(), `"deleted_at":null,"deleted_by":null`) {
		t.Errorf("metadata: got %s, want null deleted_at and deleted_by", rec.Body.String())
	}
	head := func(path string) *httptest.ResponseRecorder {
		return h.do(httptest.NewRequest(http.MethodHead, "/api/storage/metadata/"+path, nil), viewer)
	}
	if rec := head(f.FilePath); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD existing: got %d with %d bytes", rec.Code, rec.Body.Len())
	}
	for _, p := range []string{"org-1/workspace/doc/d1/none.png", "org-2/workspace/doc/d1/a.png"} {
		if rec := head(p); rec.Code != http.StatusNotFound {
			t.Errorf("HEAD %s: got %d, want 404", p, rec.Code)
		}
	}
	for _, p := range []string{"org-1/workspace/doc/d1/%2e%2e", "org-1%2Fworkspace%2Fdoc%2Fd1%2Fa.png", "org-1/workspace/doc/d1/a.png%00"} {
		rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/metadata/"+p, nil), viewer)
		wantError(t, p, rec, http.StatusBadRequest, "invalid_path")
	}

	// The query form, as a generated client sends it: slashes
	// percent-encoded, decoded by the service.
	rec = h.do(httptest.NewRequest(http.MethodGet, "/api/storage/metadata?file_path="+url.QueryEscape(f.FilePath), nil), viewer)
	if got := decode[fileRecordJSON](t, rec); rec.Code != http.StatusOK || got != f {
		t.Errorf("metadata?file_path=: got %d %+v, want %+v", rec.Code, got, f)
	}
	for p, want := range map[string]int{f.FilePath: http.StatusOK, "org-1/workspace/doc/d1/none.png": http.StatusNotFound,
		"org-2/workspace/doc/d1/a.png": http.StatusNotFound} {
		rec := h.do(httptest.NewRequest(http.MethodHead, "/api/storage/metadata?file_path="+url.QueryEscape(p), nil), viewer)
		if rec.Code != want || (want == http.StatusOK && rec.Body.Len() != 0) {
			t.Errorf("HEAD ?file_path=%s: got %d with %d bytes, want %d", p, rec.Code, rec.Body.Len(), want)
		}
	}
	for _, q := range []string{"", "?file_path=", "?file_path=org-1/workspace/doc/d1/..", "?file_path=org-1/workspace/doc/d1/a.png%00"} {
		rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/metadata"+q, nil), viewer)
		wantError(t, "metadata"+q, rec, http.StatusBadRequest, "invalid_path")
	}

	rec = h.do(httptest.NewRequest(http.MethodGet, "/api/storage/files?limit=1", nil), viewer)
	page := decode[pageJSON[fileRecordJSON]](t, rec)
	if rec.Code != http.StatusOK || len(page.Items) != 1 || page.Items[0].OrgID != "org-1" || page.NextCursor != nil {
		t.Errorf("list: got %d %s", rec.Code, rec.Body.String())
	}
	wantError(t, "list: bad limit", h.do(httptest.NewRequest(http.MethodGet, "/api/storage/files?limit=ten", nil), viewer),
		http.StatusBadRequest, "invalid_limit")
	wantError(t, "list: limit=0", h.do(httptest.NewRequest(http.MethodGet, "/api/storage/files?limit=0", nil), viewer),
		http.StatusBadRequest, "invalid_limit")
	if ev := h.lastEvent(t); ev.Action != "LIST" || ev.Success {
		t.Errorf("limit=0: got %+v, want a failed LIST event (the use case judges the range)", ev)
	}

	wantError(t, "hard delete by a member", h.doJSON(t, http.MethodDelete, "/api/storage/delete",
		`{"file_path":"`+f.FilePath+`","hard":true}`, member), http.StatusForbidden, "forbidden")
	rec = h.doJSON(t, http.MethodDelete, "/api/storage/delete", `{"file_path":"`+f.FilePath+`"}`, member)
	soft := decode[fileRecordJSON](t, rec)
	if rec.Code != http.StatusOK || !soft.Deleted || soft.DeletedAt == nil || soft.DeletedBy == nil || *soft.DeletedBy != "user-member" {
		t.Errorf("soft delete: got %d %s", rec.Code, rec.Body.String())
	}
	if rec := head(f.FilePath); rec.Code != http.StatusNotFound {
		t.Errorf("HEAD after delete: got %d, want 404", rec.Code)
	}
	rec = h.doJSON(t, http.MethodDelete, "/api/storage/delete", `{"file_path":"`+f.FilePath+`","hard":true}`, admin)
	if rec.Code != http.StatusOK || rec.Body.String() != `{"file_path":"`+f.FilePath+`","deleted":"hard"}` {
		t.Errorf("hard delete: got %d %s", rec.Code, rec.Body.String())
	}
}

func TestAuditLogsQuery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	f := h.uploadPNG(t, "org-1", "a.png", 100)
	h.uploadPNG(t, "org-2", "a.png", 100)
	admin := token(t, "org-1", "admin")
	get := func(q, tok string) *httptest.ResponseRecorder {
		return h.do(httptest.NewRequest(http.MethodGet, "/api/storage/audit-logs?"+q, nil), tok)
	}
	rec := get("action_type=UPLOAD&success=true&from=2020-01-01T00:00:00Z&limit=500", admin)
	page := decode[pageJSON[auditEventJSON]](t, rec)
	if rec.Code != http.StatusOK || len(page.Items) != 1 {
		t.Fatalf("audit-logs: got %d %s", rec.Code, rec.Body.String())
	}
	ev := page.Items[0]
	if ev.OrgID != "org-1" || ev.FilePath != f.FilePath || ev.ActionType != "UPLOAD" || ev.UserRole != "member" ||
		ev.IPAddress != "192.0.2.1" || ev.RelatedObjectType != "doc" || ev.RelatedObjectID != "d1" || ev.ErrorMessage != nil {
		t.Errorf("audit item: got %+v", ev)
	}
	for _, k := range []string{`"id"`, `"timestamp"`, `"user_id"`, `"user_agent"`, `"metadata"`, `"success"`, `"error_message"`, `"next_cursor"`} {
		if !strings.Contains(rec.Body.String(), k) {
			t.Errorf("audit-logs: no %s in %s", k, rec.Body.String())
		}
	}
	tests := []struct{ q, code string }{
		{"success=yes", "invalid_success"},
		{"from=yesterday", "invalid_from"},
		{"to=2026-01-01", "invalid_to"},
		{"limit=501", "invalid_limit"},
		{"limit=-1", "invalid_limit"},
		{"limit=0", "invalid_limit"},
		{"action_type=NOPE", "invalid_action_type"},
		{"cursor=!!", "invalid_cursor"},
	}
	for _, tc := range tests {
		wantError(t, tc.q, get(tc.q, admin), http.StatusBadRequest, tc.code)
	}
	for _, role := range []string{"viewer", "member"} {
		wantError(t, role, get("", token(t, "org-1", role)), http.StatusForbidden, "forbidden")
	}
	if rec := get("", token(t, "org-1", "auditor")); rec.Code != http.StatusOK {
		t.Errorf("auditor: got %d", rec.Code)
	}
}

// TestActivePageIsServedAsAttachment stores an HTML page (a workspace doc
// may be one) and asks for an inline URL: the page is served as an
// attachment, sandboxed, so its script never runs on this origin.
func TestActivePageIsServedAsAttachment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	page := "<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>\n"
	rec := h.upload(t, "/api/storage/upload", tok, append(docFields(), file("page.html", []byte(page)))...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: got %d %s", rec.Code, rec.Body.String())
	}
	f := decode[fileRecordJSON](t, rec)
	rec = h.doJSON(t, http.MethodPost, "/api/storage/signed-url", `{"file_path":"`+f.FilePath+`","disposition":"inline"}`, tok)
	u, err := url.Parse(decode[signURLResponse](t, rec).URL)
	if rec.Code != http.StatusOK || err != nil {
		t.Fatalf("signed-url: got %d %s", rec.Code, rec.Body.String())
	}
	got := h.do(httptest.NewRequest(http.MethodGet, u.RequestURI(), nil), "")
	hd := got.Header()
	if got.Code != http.StatusOK || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment;") ||
		hd.Get("Content-Type") != "text/html; charset=utf-8" || hd.Get("Content-Security-Policy") != blobCSP {
		t.Errorf("download: got %d, headers %v", got.Code, hd)
	}
}
