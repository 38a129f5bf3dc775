package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storagegw/application"
)

type versionItem struct {
	VersionID    string `json:"version_id"`
	FilePath     string `json:"file_path"`
	ContentType  string `json:"content_type"`
	SizeBytes    int64  `json:"size_bytes"`
	SHA256       string `json:"sha256"`
	UploadedBy   string `json:"uploaded_by"`
	CreatedAt    string `json:"created_at"`
	SupersededAt string `json:"superseded_at"`
}

func (a *api) versions(t *testing.T, tok, filePath string) []versionItem {
	t.Helper()
	r := a.Get("/api/storage/versions/"+filePath, tok)
	want(t, "list versions", r, http.StatusOK, "")
	var out struct {
		FilePath string        `json:"file_path"`
		Items    []versionItem `json:"items"`
	}
	r.JSON(t, &out)
	if out.FilePath != filePath {
		t.Errorf("versions of %s: answered for %s", filePath, out.FilePath)
	}
	q := a.Get("/api/storage/versions?file_path="+url.QueryEscape(filePath), tok)
	want(t, "list versions by query", q, http.StatusOK, "")
	if string(q.Body) != string(r.Body) {
		t.Errorf("the query form answers otherwise: %s, want %s", q.Body, r.Body)
	}
	return out.Items
}

// fetchSigned gets a signed URL of filePath (of version versionID, or the
// current content) as tok and returns the bytes it serves.
func (a *api) fetchSigned(t *testing.T, tok, filePath, versionID string) []byte {
	t.Helper()
	body := `{"file_path":"` + filePath + `"`
	if versionID != "" {
		body += `,"version_id":"` + versionID + `"`
	}
	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, body+"}")
	want(t, "signed URL", r, http.StatusOK, "")
	var u struct {
		URL string `json:"url"`
	}
	r.JSON(t, &u)
	res, err := http.Get(u.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET signed URL: %d %v %.200s", res.StatusCode, err, b)
	}
	return b
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestVersions: through the real wire graph on SQLite and local disk and
// on PostgreSQL and the S3 server, a file overwritten three times has
// three versions, each readable through a signed URL and restorable (an
// EDIT event, the replaced content a version in turn); a soft-deleted
// file keeps them and lists them again once restored; the retention purge
// removes them past STORAGEGW_VERSION_RETENTION with one PURGE event each;
// a hard delete removes them and their blobs; usage counts them and equals
// a recount throughout; another org gets 404 and a viewer cannot restore.
func TestVersions(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			a := newAPI(t, with(env, "STORAGEGW_VERSION_RETENTION", "2s"))
			member, viewer, admin := a.Token("org-1", "member"), a.Token("org-1", "viewer"), a.Token("org-1", "admin")
			bodies := [][]byte{pngOf(1000), pngOf(2000), pngOf(3000), pngOf(4000)}
			var rec record
			for i, b := range bodies {
				r := uploadDoc(a, "org-1", "v1", "v.png", b, i > 0)
				want(t, "upload", r, http.StatusCreated, "")
				r.JSON(t, &rec)
			}
			path := rec.FilePath

			// Three versions, the most recently replaced first.
			vs := a.versions(t, viewer, path)
			if len(vs) != 3 {
				t.Fatalf("versions: got %d, want 3: %+v", len(vs), vs)
			}
			for i, v := range vs {
				b := bodies[2-i]
				if v.SHA256 != hexSHA(b) || v.SizeBytes != int64(len(b)) || v.ContentType != "image/png" ||
					v.UploadedBy != "member-org-1" || v.FilePath != path || v.VersionID == "" || v.CreatedAt == "" || v.SupersededAt == "" {
					t.Errorf("version %d: got %+v", i, v)
				}
				if got := a.fetchSigned(t, viewer, path, v.VersionID); hexSHA(got) != v.SHA256 {
					t.Errorf("signed URL of version %d serves other bytes", i)
				}
			}
			if got := a.fetchSigned(t, viewer, path, ""); hexSHA(got) != hexSHA(bodies[3]) {
				t.Error("the signed URL without version_id serves other bytes than the current content")
			}
			total := int64(len(bodies[0]) + len(bodies[1]) + len(bodies[2]) + len(bodies[3]))
			if n := blobs(t, a); n != 4 {
				t.Errorf("blobs in the store: got %d, want 4", n)
			}
			if u := a.usage(t, "org-1"); u.Bytes != total || u.Files != 4 {
				t.Errorf("usage: got %d bytes, %d files, want %d and 4", u.Bytes, u.Files, total)
			}
			requireRecount(t, a)

			// Refusals.
			restore := func(tok, id string) response {
				return a.SendJSON(http.MethodPost, "/api/storage/versions/restore", tok, `{"file_path":"`+path+`","version_id":"`+id+`"}`)
			}
			want(t, "viewer restores", restore(viewer, vs[2].VersionID), http.StatusForbidden, "forbidden")
			want(t, "other org restores", restore(a.Token("org-2", "admin"), vs[2].VersionID), http.StatusNotFound, "not_found")
			want(t, "other org lists", a.Get("/api/storage/versions/"+path, a.Token("org-2", "admin")), http.StatusNotFound, "not_found")
			want(t, "other org signs", a.SendJSON(http.MethodPost, "/api/storage/signed-url", a.Token("org-2", "admin"),
				`{"file_path":"`+path+`","version_id":"`+vs[0].VersionID+`"}`), http.StatusNotFound, "not_found")
			want(t, "unknown version", restore(member, "0190b3c1-0000-7000-8000-000000000000"), http.StatusNotFound, "version_not_found")
			want(t, "no version id", restore(member, ""), http.StatusBadRequest, "missing_version_id")

			// Restore the oldest: an EDIT, the content equal, the replaced
			// content a version.
			r := restore(member, vs[2].VersionID)
			want(t, "restore a version", r, http.StatusOK, "")
			var restored record
			r.JSON(t, &restored)
			if restored.SHA256 != hexSHA(bodies[0]) || restored.SizeBytes != int64(len(bodies[0])) {
				t.Errorf("restored record: got %+v", restored)
			}
			if got := a.fetchSigned(t, viewer, path, ""); hexSHA(got) != hexSHA(bodies[0]) {
				t.Error("the current content after the restore is not the version's")
			}
			after := a.versions(t, viewer, path)
			if len(after) != 3 || after[0].SHA256 != hexSHA(bodies[3]) {
				t.Errorf("versions after the restore: got %+v, want the replaced content first", after)
			}
			edits := a.AuditLog("org-1", "action_type=EDIT")
			var ok, refused int
			for _, e := range edits {
				switch {
				case e.Success && e.Metadata["restored_version_id"] == vs[2].VersionID:
					ok++
					if e.Metadata["kept_version_id"] != after[0].VersionID || e.UserID != "member-org-1" || e.FilePath != path {
						t.Errorf("restore's EDIT event: got %+v", e)
					}
				case !e.Success:
					refused++
				}
			}
			if ok != 1 || refused != 3 { // the viewer (refused before its body is read), the unknown version, no version id; org-2's is in org-2's trail
				t.Errorf("EDIT events of restores: got %d ok, %d refused, want 1 and 3: %+v", ok, refused, edits)
			}
			if u := a.usage(t, "org-1"); u.Bytes != total || u.Files != 4 {
				t.Errorf("usage after the restore: got %d bytes, %d files, want %d and 4", u.Bytes, u.Files, total)
			}
			requireRecount(t, a)

			// A soft-deleted file keeps its versions, listed again once it
			// is restored.
			del := `{"file_path":"` + path + `"}`
			want(t, "soft delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", member, del), http.StatusOK, "")
			want(t, "versions of a deleted file", a.Get("/api/storage/versions/"+path, admin), http.StatusNotFound, "not_found")
			want(t, "restore a version of a deleted file", restore(admin, after[0].VersionID), http.StatusNotFound, "file_deleted")
			want(t, "restore the file", a.SendJSON(http.MethodPost, "/api/storage/restore", admin, del), http.StatusOK, "")
			if got := a.versions(t, viewer, path); len(got) != 3 {
				t.Errorf("versions of the restored file: got %d, want 3", len(got))
			}

			// Past the version retention the purge removes them, one PURGE
			// event each, and their blobs.
			time.Sleep(2100 * time.Millisecond)
			rep, err := a.Svc.App.Purge.Run(t.Context(), application.PurgeCommand{OrgID: "org-1"})
			if err != nil || rep.VersionsPurged != 3 || rep.Purged != 0 {
				t.Fatalf("purge: got %+v, %v; want 3 versions purged", rep, err)
			}
			purges := a.AuditLog("org-1", "action_type=PURGE")
			seen := map[any]bool{}
			for _, e := range purges {
				if e.Success && e.UserID == "system" && e.FilePath == path {
					seen[e.Metadata["version_id"]] = true
				}
			}
			for _, v := range after {
				if !seen[v.VersionID] {
					t.Errorf("no PURGE event for version %s: %+v", v.VersionID, purges)
				}
			}
			if got := a.versions(t, viewer, path); len(got) != 0 {
				t.Errorf("versions after the purge: %+v", got)
			}
			if n := blobs(t, a); n != 1 {
				t.Errorf("blobs after the purge: got %d, want the current one", n)
			}
			if u := a.usage(t, "org-1"); u.Bytes != int64(len(bodies[0])) || u.Files != 1 {
				t.Errorf("usage after the purge: got %d bytes, %d files", u.Bytes, u.Files)
			}
			requireRecount(t, a)

			// A hard delete removes every version with the file.
			for _, b := range bodies[1:3] {
				want(t, "overwrite", uploadDoc(a, "org-1", "v1", "v.png", b, true), http.StatusCreated, "")
			}
			if got := a.versions(t, viewer, path); len(got) != 2 {
				t.Fatalf("versions before the hard delete: got %d, want 2", len(got))
			}
			want(t, "hard delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", admin, `{"file_path":"`+path+`","hard":true}`), http.StatusOK, "")
			if n := blobs(t, a); n != 0 {
				t.Errorf("blobs after the hard delete: got %d, want 0", n)
			}
			if u := a.usage(t, "org-1"); u.Bytes != 0 || u.Files != 0 {
				t.Errorf("usage after the hard delete: got %d bytes, %d files", u.Bytes, u.Files)
			}
			requireRecount(t, a)
			var hard int
			for _, e := range a.AuditLog("org-1", "action_type=DELETE") {
				if e.Success && e.Metadata["hard"] == true && e.Metadata["versions_removed"] == float64(2) {
					hard++
				}
			}
			if hard != 1 {
				t.Error("no hard DELETE event naming the 2 versions removed")
			}
		})
	}
}

// TestVersionsConcurrentRestores: eight restores of one version at once,
// and overwrites racing them, on SQLite and on PostgreSQL: exactly one
// restore takes the version (the others 404 version_not_found or 409
// concurrent_update), nothing is lost (every content is the file's or a
// version's), and the usage equals a recount.
func TestVersionsConcurrentRestores(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			a := newAPI(t, env)
			member := a.Token("org-1", "member")
			var rec record
			for i := range 3 {
				r := uploadDoc(a, "org-1", "c1", "c.png", pngOf(1000*(i+1)), i > 0)
				want(t, "upload", r, http.StatusCreated, "")
				r.JSON(t, &rec)
			}
			vs := a.versions(t, member, rec.FilePath)
			body := `{"file_path":"` + rec.FilePath + `","version_id":"` + vs[1].VersionID + `"}`
			type result struct {
				status int
				code   string
			}
			results := make(chan result, 12)
			for range 8 {
				go func() {
					r := a.SendJSON(http.MethodPost, "/api/storage/versions/restore", member, body)
					results <- result{r.Status, r.Code()}
				}()
			}
			for i := range 4 {
				go func() {
					r := uploadDoc(a, "org-1", "c1", "c.png", pngOf(5000+i), true)
					results <- result{r.Status, r.Code()}
				}()
			}
			restored, uploads := 0, 0
			for range 12 {
				r := <-results
				switch {
				case r.status == http.StatusOK:
					restored++
				case r.status == http.StatusCreated:
					uploads++
				case r.status == http.StatusNotFound && r.code == "version_not_found",
					r.status == http.StatusConflict && (r.code == "concurrent_update" || r.code == "upload_in_progress"):
				default:
					t.Errorf("unexpected answer %d %s", r.status, r.code)
				}
			}
			if restored != 1 {
				t.Errorf("restores that took the version: got %d, want 1", restored)
			}
			left := a.versions(t, member, rec.FilePath)
			for _, v := range left {
				if v.VersionID == vs[1].VersionID {
					t.Error("the restored version is still listed")
				}
			}
			// 3 contents uploaded first, plus each overwrite that went
			// through: all kept (the file's and its versions), none lost.
			if got, want := len(left)+1, 3+uploads; got != want {
				t.Errorf("contents kept: got %d (%d versions + the file), want %d", got, len(left), want)
			}
			if n := blobs(t, a); n != 3+uploads {
				t.Errorf("blobs: got %d, want %d", n, 3+uploads)
			}
			requireRecount(t, a)
		})
	}
}

// TestVersionsRestoreIdempotent: a restore sent twice with one
// Idempotency-Key restores once and replays its answer.
func TestVersionsRestoreIdempotent(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member := a.Token("org-1", "member")
	var rec record
	for i := range 2 {
		r := uploadDoc(a, "org-1", "i1", "i.png", pngOf(1000*(i+1)), i > 0)
		want(t, "upload", r, http.StatusCreated, "")
		r.JSON(t, &rec)
	}
	vs := a.versions(t, member, rec.FilePath)
	body := `{"file_path":"` + rec.FilePath + `","version_id":"` + vs[0].VersionID + `"}`
	send := func() response {
		return a.Do(http.MethodPost, "/api/storage/versions/restore", member, strings.NewReader(body),
			http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"restore-1"}})
	}
	first, again := send(), send()
	want(t, "restore", first, http.StatusOK, "")
	want(t, "the same restore again", again, http.StatusOK, "")
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Errorf("replay: header %q, body %s, want the first answer %s", again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
	}
	n := 0
	for _, e := range a.AuditLog("org-1", "action_type=EDIT") {
		if e.Metadata["restored_version_id"] == vs[0].VersionID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("EDIT events of the restore: got %d, want 1", n)
	}
	if got := a.versions(t, member, rec.FilePath); len(got) != 1 || got[0].VersionID == vs[0].VersionID {
		t.Errorf("versions after one restore: %+v", got)
	}
}
