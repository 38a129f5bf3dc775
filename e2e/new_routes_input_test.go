package e2e

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNewRoutesRefuseBadInput: the routes of versions, legal holds and
// links answer hostile input (another org's version id under one's own
// path, huge, NUL or mistyped ids, prefixes, reasons, paths, cursors and
// limits) with a 4xx and a code, never a 500, on SQLite and local disk and
// on PostgreSQL and the S3 server.
func TestNewRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, _ := st.env(t)
			a := newAPI(t, env)
			admin1, admin2, m2 := a.Token("org-1", "admin"), a.Token("org-2", "admin"), a.Token("org-2", "member")
			var rec, rec2 record
			for i := 0; i < 2; i++ {
				r := uploadDoc(a, "org-1", "v1", "v.png", pngOf(1000+i), i > 0)
				want(t, "upload", r, http.StatusCreated, "")
				r.JSON(t, &rec)
			}
			r := uploadDoc(a, "org-2", "v1", "v.png", pngOf(500), false)
			want(t, "upload of org-2", r, http.StatusCreated, "")
			r.JSON(t, &rec2)
			vs := a.versions(t, admin1, rec.FilePath)
			bad := func(what string, r response) {
				t.Helper()
				if r.Status < 400 || r.Status >= 500 || r.Code() == "" {
					t.Errorf("%s: got %d %.300s", what, r.Status, r.Body)
				}
			}
			want(t, "sign own path other org's version", a.SendJSON(http.MethodPost, "/api/storage/signed-url", m2, `{"file_path":"`+rec2.FilePath+`","version_id":"`+vs[0].VersionID+`"}`), http.StatusNotFound, "version_not_found")
			want(t, "restore own path other org's version", a.SendJSON(http.MethodPost, "/api/storage/versions/restore", m2, `{"file_path":"`+rec2.FilePath+`","version_id":"`+vs[0].VersionID+`"}`), http.StatusNotFound, "version_not_found")
			huge := strings.Repeat("a", 100000)
			bad("huge version id", a.SendJSON(http.MethodPost, "/api/storage/versions/restore", admin1, `{"file_path":"`+rec.FilePath+`","version_id":"`+huge[:5000]+`"}`))
			bad("nul version id", a.SendJSON(http.MethodPost, "/api/storage/versions/restore", admin1, `{"file_path":"`+rec.FilePath+`","version_id":"\u0000"}`))
			bad("number version id", a.SendJSON(http.MethodPost, "/api/storage/versions/restore", admin1, `{"file_path":"`+rec.FilePath+`","version_id":5}`))
			bad("nul sign version id", a.SendJSON(http.MethodPost, "/api/storage/signed-url", admin1, `{"file_path":"`+rec.FilePath+`","version_id":"\ud800"}`))
			bad("huge hold list prefix", a.Get("/api/storage/legal-holds?prefix="+huge[:8000], admin1))
			bad("nul hold list prefix", a.Get("/api/storage/legal-holds?prefix=workspace%00", admin1))
			bad("hold list prefix with org", a.Get("/api/storage/legal-holds?prefix=org-2/", admin1))
			bad("hold dotdot", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin1, `{"prefix":"workspace/doc/../","reason":"x"}`))
			bad("hold huge obj", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin1, `{"prefix":"workspace/doc/`+huge[:3000]+`/","reason":"x"}`))
			bad("hold other org file", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin1, `{"file_path":"`+rec2.FilePath+`","reason":"x"}`))
			bad("hold nul reason", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin1, `{"prefix":"workspace/doc/v1/","reason":"\u0000"}`))
			bad("hold reason object", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin1, `{"prefix":"workspace/doc/v1/","reason":{}}`))
			bad("clear huge", a.SendJSON(http.MethodPost, "/api/storage/legal-holds/clear", admin1, `{"file_path":"`+huge[:5000]+`"}`))
			bad("versions huge path", a.Get("/api/storage/versions?file_path="+huge[:8000], admin1))
			bad("versions nul path", a.Get("/api/storage/versions?file_path=org-1/workspace/doc/v1/%00", admin1))
			bad("versions other org", a.Get("/api/storage/versions/"+rec.FilePath, admin2))
			lk := "/api/storage/links?file_path=" + url.QueryEscape(rec.FilePath)
			for _, c := range []string{"x", "%%%", base64.RawURLEncoding.EncodeToString([]byte("9999-12-31T23:59:59.999999999+14:00\nx")),
				base64.RawURLEncoding.EncodeToString([]byte("0000-01-01T00:00:00Z\nx")),
				base64.RawURLEncoding.EncodeToString([]byte("2026-01-01T00:00:00-23:59\n" + huge[:1500])),
			} {
				r := a.Get(lk+"&cursor="+url.QueryEscape(c), admin1)
				if r.Status >= 500 {
					t.Errorf("links cursor %.60q: %d %.300s", c, r.Status, r.Body)
				}
			}
			for _, l := range []string{"0", "abc", "99999999999999999999", "-1", "1001"} {
				bad("links limit "+l, a.Get(lk+"&limit="+l, admin1))
			}
			bad("links huge path", a.Get("/api/storage/links?file_path="+huge[:8000], admin1))
			bad("links other org", a.Get("/api/storage/links?file_path="+url.QueryEscape(rec.FilePath), admin2))
			bad("links no path", a.Get("/api/storage/links", admin1))
		})
	}
}
