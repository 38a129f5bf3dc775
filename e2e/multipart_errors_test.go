package e2e

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"storagegw"
	"storagegw/adapters/auth"
	"storagegw/application"
)

const docFields = `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "a.png"`

// TestMultipartAbortEndToEnd aborts an upload with a part sent: the part
// URLs stop working, the upload is gone, and the path is free again.
func TestMultipartAbortEndToEnd(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	s := a.initiate(member, docFields, 6<<20)
	urls := a.partURLs(member, s)
	a.putParts(urls[:1], s.PartSize, pngOf(6<<20))
	want(t, "abort", a.SendJSON(http.MethodPost, "/api/storage/multipart/abort", member, `{"upload_id": "`+s.UploadID+`"}`), http.StatusOK, "")
	want(t, "PUT after abort", a.Do(http.MethodPut, urls[1].URL, "", bytes.NewReader(make([]byte, urls[1].Size)), nil),
		http.StatusNotFound, "upload_not_found")
	want(t, "complete after abort", a.complete(member, s.UploadID, nil), http.StatusNotFound, "upload_not_found")
	want(t, "abort again", a.SendJSON(http.MethodPost, "/api/storage/multipart/abort", member, `{"upload_id": "`+s.UploadID+`"}`),
		http.StatusNotFound, "upload_not_found")
	want(t, "no file", a.Get("/api/storage/metadata/"+s.FilePath, member), http.StatusNotFound, "not_found")
	a.initiate(member, docFields, 100) // the path is free: no overwrite needed
	if ev := a.AuditLog("org-1", "action_type=MULTIPART_ABORT&success=true"); len(ev) != 1 || ev[0].FilePath != s.FilePath {
		t.Errorf("audit: got %+v, want one MULTIPART_ABORT of %s", ev, s.FilePath)
	}
}

// TestMultipartWrongETag completes with a wrong ETag (400, the upload
// stays open), then with the right ones.
func TestMultipartWrongETag(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	data := pngOf(6 << 20)
	s := a.initiate(member, docFields, len(data))
	parts := a.putParts(a.partURLs(member, s), s.PartSize, data)
	bad := append([]sentPart(nil), parts...)
	bad[1].ETag = `"00112233445566778899aabbccddeeff"`
	want(t, "wrong ETag", a.complete(member, s.UploadID, bad), http.StatusBadRequest, "part_etag_mismatch")
	want(t, "missing part", a.complete(member, s.UploadID, parts[:1]), http.StatusBadRequest, "parts_incomplete")
	want(t, "right ETags", a.complete(member, s.UploadID, parts), http.StatusCreated, "")
}

// TestMultipartWrongContent completes a receipt whose bytes are no image:
// 415, and nothing is left of it: no record, no blob, no part, no session.
func TestMultipartWrongContent(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	data := bytes.Repeat([]byte("plain text, not a scan. "), 6<<20/24)
	s := a.initiate(member, `"system": "accounting", "object_type": "receipt", "object_id": "r1", "filename": "scan.png", "content_type": "image/png"`, len(data))
	r := a.complete(member, s.UploadID, a.putParts(a.partURLs(member, s), s.PartSize, data))
	want(t, "complete", r, http.StatusUnsupportedMediaType, "unsupported_content_type")
	want(t, "no record", a.Get("/api/storage/metadata/"+s.FilePath, member), http.StatusNotFound, "not_found")
	want(t, "no session", a.complete(member, s.UploadID, nil), http.StatusNotFound, "upload_not_found")
	if files := filesUnder(t, a.Cfg.DataDir, "blobs", "tmp"); len(files) != 0 {
		t.Errorf("files left in the data dir: %v", files)
	}
	if ev := a.AuditLog("org-1", "action_type=UPLOAD&file_path="+s.FilePath); len(ev) != 1 || ev[0].Success {
		t.Errorf("audit: got %+v, want one failed UPLOAD", ev)
	}
	want(t, "declared type refused early", a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", member,
		`{"system": "accounting", "object_type": "receipt", "object_id": "r1", "filename": "a.zip", "size": 10, "content_type": "application/zip"}`),
		http.StatusUnsupportedMediaType, "unsupported_content_type")
	want(t, "declared size refused early", a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", member,
		`{"system": "accounting", "object_type": "receipt", "object_id": "r1", "filename": "a.png", "size": 21000000}`),
		http.StatusRequestEntityTooLarge, "file_too_large")
}

// filesUnder lists the regular files under the given directories of dir.
func filesUnder(t *testing.T, dir string, subdirs ...string) []string {
	t.Helper()
	var out []string
	for _, sub := range subdirs {
		_ = filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// TestMultipartOtherCallers: another org's upload_id, or another member's,
// is 404 on every endpoint; a viewer may not start one.
func TestMultipartOtherCallers(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	s := a.initiate(member, docFields, 100)
	id := `{"upload_id": "` + s.UploadID + `"}`
	for name, tok := range map[string]string{"another org's admin": a.Token("org-2", "admin"), "another member": a.tokenFor("someone-else", "org-1", "member")} {
		want(t, name+": parts", a.SendJSON(http.MethodPost, "/api/storage/multipart/parts", tok,
			`{"upload_id": "`+s.UploadID+`", "part_numbers": [1]}`), http.StatusNotFound, "upload_not_found")
		want(t, name+": complete", a.complete(tok, s.UploadID, []sentPart{{1, `"x"`}}), http.StatusNotFound, "upload_not_found")
		want(t, name+": abort", a.SendJSON(http.MethodPost, "/api/storage/multipart/abort", tok, id), http.StatusNotFound, "upload_not_found")
	}
	want(t, "viewer", a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", a.Token("org-1", "viewer"),
		`{`+docFields+`, "size": 10}`), http.StatusForbidden, "forbidden")
	want(t, "org's admin", a.SendJSON(http.MethodPost, "/api/storage/multipart/abort", a.Token("org-1", "admin"), id), http.StatusOK, "")
}

// tokenFor mints a token for user sub.
func (a *api) tokenFor(sub, org, role string) string {
	a.T.Helper()
	tok, err := auth.Mint(a.Secret, storagegw.AuthSettings(a.Cfg).MintParams(auth.MintParams{Sub: sub, Org: org, Role: role}), time.Now())
	if err != nil {
		a.T.Fatal(err)
	}
	return tok
}

// TestMultipartExpiredSessionCleaned lets a session expire (its expiry is
// moved into the past in the database): it is refused, then the upload
// clean-up (the cleanup-uploads command's and serve's use case) discards
// it with its parts and reservation.
func TestMultipartExpiredSessionCleaned(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	s := a.initiate(member, docFields, 6<<20)
	a.putParts(a.partURLs(member, s)[:1], s.PartSize, pngOf(6<<20))
	if _, err := a.Svc.DB.SQL().ExecContext(context.Background(),
		"UPDATE upload_sessions SET expires_at = ? WHERE id = ?", time.Now().Add(-time.Minute).UTC(), s.UploadID); err != nil {
		t.Fatal(err)
	}
	want(t, "parts of an expired upload", a.SendJSON(http.MethodPost, "/api/storage/multipart/parts", member,
		`{"upload_id": "`+s.UploadID+`", "part_numbers": [2]}`), http.StatusNotFound, "upload_expired")

	rep, err := a.Svc.App.CleanupUploads.Run(context.Background())
	if err != nil || rep != (application.CleanupReport{Sessions: 1}) {
		t.Fatalf("clean-up: got %+v, %v, want one session", rep, err)
	}
	if files := filesUnder(t, a.Cfg.DataDir, "blobs", "tmp"); len(files) != 0 {
		t.Errorf("files left in the data dir: %v", files)
	}
	want(t, "session gone", a.SendJSON(http.MethodPost, "/api/storage/multipart/abort", member, `{"upload_id": "`+s.UploadID+`"}`),
		http.StatusNotFound, "upload_not_found")
	a.initiate(member, docFields, 100) // the reservation was released
	if ev := a.AuditLog("org-1", "action_type=MULTIPART_ABORT&success=true"); len(ev) != 1 || ev[0].UserID != "system" {
		t.Errorf("audit: got %+v, want one MULTIPART_ABORT by the system", ev)
	}
}
