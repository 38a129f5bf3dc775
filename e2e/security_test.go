package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestAPICrossOrg: another org's file is not found on every endpoint, and
// listings and audit trails never show another org's data.
func TestAPICrossOrg(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	theirs := a.UploadDoc("org-2", "d1", "secret.png", pngOf(50))
	mine := a.UploadDoc("org-1", "d1", "mine.png", pngOf(50))
	body := `{"file_path":"` + theirs.FilePath + `"}`
	for _, role := range []string{"viewer", "member", "admin", "auditor"} {
		tok := a.Token("org-1", role)
		r := a.Get("/api/storage/metadata/"+theirs.FilePath, tok)
		want(t, role+" metadata", r, http.StatusNotFound, "not_found")
		if r := a.Do(http.MethodHead, "/api/storage/metadata/"+theirs.FilePath, tok, nil, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s HEAD: got %d, want 404", role, r.Status)
		}
		if role == "auditor" {
			continue // the role itself refuses the rest (403), before any lookup
		}
		want(t, role+" signed-url", a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, body), http.StatusNotFound, "not_found")
		if role != "viewer" {
			want(t, role+" delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", tok, body), http.StatusNotFound, "not_found")
		}
	}
	want(t, "admin hard delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "admin"),
		`{"file_path":"`+theirs.FilePath+`","hard":true}`), http.StatusNotFound, "not_found")
	// Their file is untouched.
	if r := a.Get("/api/storage/metadata/"+theirs.FilePath, a.Token("org-2", "viewer")); r.Status != http.StatusOK {
		t.Fatalf("org-2's file after org-1's attempts: got %d %s", r.Status, r.Body)
	}
	// An upload cannot name another org: the org comes from the token.
	want(t, "org field", a.Upload("/api/storage/upload", a.Token("org-1", "member"), [][2]string{{"org_id", "org-2"},
		{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, "x.png", pngOf(5)), http.StatusBadRequest, "unknown_field")

	for _, q := range []string{"", "?prefix=workspace/", "?prefix=org-2/"} {
		r := a.Get("/api/storage/files"+q, a.Token("org-1", "viewer"))
		if strings.Contains(string(r.Body), "org-2") || (q == "" && !strings.Contains(string(r.Body), mine.FilePath)) {
			t.Errorf("list %q: got %d %s", q, r.Status, r.Body)
		}
	}
	for _, q := range []string{"", "file_path=" + url.QueryEscape(theirs.FilePath), "user_id=member-org-2"} {
		for _, ev := range a.AuditLog("org-1", q) {
			if ev.OrgID != "org-1" || ev.UserID == "member-org-2" {
				t.Errorf("audit-logs %q of org-1 shows %+v", q, ev)
			}
		}
	}
	if evs := a.AuditLog("org-1", "file_path="+url.QueryEscape(theirs.FilePath)); len(evs) == 0 {
		t.Error("org-1's attempts on org-2's path were not audited in org-1")
	}
	for _, ev := range a.AuditLog("org-2", "") {
		if ev.OrgID != "org-2" {
			t.Errorf("org-2's audit trail shows %+v", ev)
		}
	}
}

func TestAPITokenAttacks(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	now := time.Now()
	claims := func(kv ...any) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "u1", "org_id": "org-1", "role": "viewer", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	sign := func(key any, m jwt.SigningMethod, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name, tok string
		status    int
		code      string
	}{
		{"missing", "", http.StatusUnauthorized, "token_missing"},
		{"garbage", "garbage", http.StatusUnauthorized, "token_invalid"},
		{"alg none", sign(jwt.UnsafeAllowNoneSignatureType, jwt.SigningMethodNone, claims()), http.StatusUnauthorized, "token_invalid"},
		{"wrong key", sign([]byte("not-the-dev-secret-not-the-dev-secret"), jwt.SigningMethodHS256, claims()), http.StatusUnauthorized, "token_invalid"},
		{"HS512 with the right key", sign(a.Secret, jwt.SigningMethodHS512, claims()), http.StatusUnauthorized, "token_invalid"},
		{"expired", sign(a.Secret, jwt.SigningMethodHS256, claims("exp", now.Add(-time.Hour).Unix())), http.StatusUnauthorized, "token_expired"},
		{"not yet valid", sign(a.Secret, jwt.SigningMethodHS256, claims("nbf", now.Add(time.Hour).Unix())), http.StatusUnauthorized, "token_invalid"},
		{"no org", sign(a.Secret, jwt.SigningMethodHS256, claims("org_id", nil)), http.StatusUnauthorized, "token_invalid"},
		{"role missing", sign(a.Secret, jwt.SigningMethodHS256, claims("role", nil)), http.StatusForbidden, "unknown_role"},
		{"unknown role", sign(a.Secret, jwt.SigningMethodHS256, claims("role", "superuser")), http.StatusForbidden, "unknown_role"},
	}
	paths := []string{"/api/storage/files", "/api/storage/audit-logs", "/api/storage/metadata/org-1/workspace/doc/d1/a.png"}
	for _, tc := range tests {
		for _, p := range paths {
			want(t, tc.name+" "+p, a.Get(p, tc.tok), tc.status, tc.code)
		}
		want(t, tc.name+" upload", a.Upload("/api/storage/upload", tc.tok, nil, "a.png", pngOf(5)), tc.status, tc.code)
	}
	if r := a.Get("/api/storage/files", sign(a.Secret, jwt.SigningMethodHS256, claims())); r.Status != http.StatusOK {
		t.Errorf("a good token: got %d %s", r.Status, r.Body)
	}
	// Refused tokens are not audited: nothing but the admin's own queries.
	for _, ev := range a.AuditLog("org-1", "") {
		if ev.UserID == "u1" && ev.ActionType != "LIST" {
			t.Errorf("audit row for a refused token: %+v", ev)
		}
	}
}

func TestAPIIssuerAndAudience(t *testing.T) {
	t.Parallel()
	a := newAPI(t, map[string]string{"JWT_ISSUER": "https://idp.example", "JWT_AUDIENCE": "storagegw"})
	good := a.Token("org-1", "viewer") // minted with the configured iss and aud
	if r := a.Get("/api/storage/files", good); r.Status != http.StatusOK {
		t.Fatalf("configured iss/aud: got %d %s", r.Status, r.Body)
	}
	c := func(iss, aud string) string {
		m := jwt.MapClaims{"sub": "u1", "org_id": "org-1", "role": "viewer", "exp": time.Now().Add(time.Hour).Unix()}
		if iss != "" {
			m["iss"] = iss
		}
		if aud != "" {
			m["aud"] = aud
		}
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, m).SignedString(a.Secret)
		return s
	}
	for name, tok := range map[string]string{
		"wrong issuer": c("https://evil.example", "storagegw"), "no issuer": c("", "storagegw"),
		"wrong audience": c("https://idp.example", "other"), "no audience": c("https://idp.example", ""),
	} {
		want(t, name, a.Get("/api/storage/files", tok), http.StatusUnauthorized, "token_invalid")
	}
}

// TestAPITraversal: hostile spellings of a path answer 400 or 404, never
// another file.
func TestAPITraversal(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	theirs := a.UploadDoc("org-2", "d1", "a.png", pngOf(50))
	a.UploadDoc("org-1", "d1", "a.png", pngOf(60))
	tok := a.Token("org-1", "admin")
	raw := []string{
		"org-1/workspace/doc/d1/../../../../org-2/workspace/doc/d1/a.png",
		"org-1/workspace/doc/d1/..",
		"org-1/workspace/doc/../d1/a.png",
		"org-1/workspace/doc/d1/%2e%2e/%2e%2e/org-2/a.png",
		"org-1%2fworkspace%2fdoc%2fd1%2fa.png",
		"org-1/workspace/doc/d1%2F..%2F..%2Forg-2%2Fa.png",
		"org-1/workspace/doc/d1/a.png%00.txt",
		"org-1/workspace/doc/d1/a.png%5C..%5Corg-2",
		"/org-2/workspace/doc/d1/a.png",
		"org-2/workspace/doc/d1/a.png",
		"org-1//workspace/doc/d1/a.png",
	}
	for _, p := range raw {
		r := a.Do(http.MethodGet, a.URL+"/api/storage/metadata/"+p, tok, nil, nil)
		reached := r.Code() == "invalid_path" || r.Code() == "not_found" // the strict parser answered, not the router
		if (r.Status != http.StatusBadRequest && r.Status != http.StatusNotFound) || !reached || strings.Contains(string(r.Body), theirs.SHA256) {
			t.Errorf("metadata %q: got %d %s", p, r.Status, r.Body)
		}
	}
	jsonPaths := []string{
		"org-1/workspace/doc/d1/../../../../org-2/workspace/doc/d1/a.png",
		"org-1/workspace/doc/d1/%2e%2e/a.png",
		"org-1%2Fworkspace%2Fdoc%2Fd1%2Fa.png",
		`org-1\\workspace\\doc\\d1\\a.png`,
		`org-1/workspace/doc/d1/a.png\u0000`,
		"../org-2/workspace/doc/d1/a.png",
		"org-2/workspace/doc/d1/a.png",
		"/org-2/workspace/doc/d1/a.png",
	}
	for _, p := range jsonPaths {
		for _, ep := range []struct{ method, path string }{
			{http.MethodPost, "/api/storage/signed-url"}, {http.MethodDelete, "/api/storage/delete"},
		} {
			r := a.SendJSON(ep.method, ep.path, tok, `{"file_path":"`+p+`"}`)
			if r.Status != http.StatusBadRequest && r.Status != http.StatusNotFound {
				t.Errorf("%s %q: got %d %s", ep.path, p, r.Status, r.Body)
			}
		}
	}
	if r := a.Get("/api/storage/metadata/"+theirs.FilePath, a.Token("org-2", "viewer")); r.Status != http.StatusOK {
		t.Errorf("org-2's file after the attempts: got %d", r.Status)
	}
}
