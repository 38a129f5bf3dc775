package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	sign := func(key []byte, m jwt.SigningMethod, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
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
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tests := []struct {
		name, header string
		status       int
		code         string
	}{
		{"no header", "", http.StatusUnauthorized, "token_missing"},
		{"bearer without token", "Bearer ", http.StatusUnauthorized, "token_missing"},
		{"basic scheme", "Basic dXNlcjpwYXNz", http.StatusUnauthorized, "token_invalid"},
		{"garbage", "Bearer abc.def.ghi", http.StatusUnauthorized, "token_invalid"},
		{"alg none", "Bearer " + none, http.StatusUnauthorized, "token_invalid"},
		{"wrong key", "Bearer " + sign([]byte("another-secret-another-secret-xx"), jwt.SigningMethodHS256, claims()), http.StatusUnauthorized, "token_invalid"},
		{"expired", "Bearer " + sign(testSecret, jwt.SigningMethodHS256, claims("exp", now.Add(-time.Hour).Unix())), http.StatusUnauthorized, "token_expired"},
		{"no role", "Bearer " + sign(testSecret, jwt.SigningMethodHS256, claims("role", nil)), http.StatusForbidden, "unknown_role"},
		{"unknown role", "Bearer " + sign(testSecret, jwt.SigningMethodHS256, claims("role", "owner")), http.StatusForbidden, "unknown_role"},
		{"lower-case scheme", "bearer " + sign(testSecret, jwt.SigningMethodHS256, claims()), http.StatusOK, ""},
	}
	for _, tc := range tests {
		before := len(h.audit.Events())
		req := httptest.NewRequest(http.MethodGet, "/api/storage/files", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		rec := h.do(req, "")
		if tc.code == "" {
			if rec.Code != tc.status {
				t.Errorf("%s: got %d %s, want %d", tc.name, rec.Code, rec.Body.String(), tc.status)
			}
			continue
		}
		wantError(t, tc.name, rec, tc.status, tc.code)
		if n := len(h.audit.Events()) - before; n != 0 {
			t.Errorf("%s: %d audit events written for a refused token, want none", tc.name, n)
		}
	}
	// Public routes need no token.
	for _, path := range []string{"/healthz", "/api/storage/openapi.json"} {
		rec := h.do(httptest.NewRequest(http.MethodGet, path, nil), "")
		if rec.Code != http.StatusOK {
			t.Errorf("%s: got %d, want 200 without a token", path, rec.Code)
		}
	}
	rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/openapi.json", nil), "")
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" || rec.Body.Len() == 0 {
		t.Errorf("openapi.json: got %q with %d bytes", ct, rec.Body.Len())
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		trusted []string
		peer    string
		want    string
	}{
		{"none trusted: X-Forwarded-For ignored", nil, "10.1.2.3:5000", "10.1.2.3"},
		{"peer trusted", []string{"10.0.0.0/8"}, "10.1.2.3:5000", "203.0.113.9"},
		{"peer not among the trusted", []string{"192.168.0.0/16"}, "10.1.2.3:5000", "10.1.2.3"},
	}
	for _, tc := range tests {
		h := newHarness(t, func(o *Options) { o.TrustedProxies = tc.trusted })
		req := httptest.NewRequest(http.MethodGet, "/api/storage/files", nil)
		req.RemoteAddr = tc.peer
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		req.Header.Set("User-Agent", "agent/1")
		if rec := h.do(req, token(t, "org-1", "viewer")); rec.Code != http.StatusOK {
			t.Fatalf("%s: got %d", tc.name, rec.Code)
		}
		if ev := h.lastEvent(t); ev.Actor.IP != tc.want || ev.Actor.UserAgent != "agent/1" {
			t.Errorf("%s: audited IP %q, UA %q, want %q", tc.name, ev.Actor.IP, ev.Actor.UserAgent, tc.want)
		}
	}
	if _, err := NewServer(nil, nil, nil, Options{TrustedProxies: []string{"not-an-ip"}}); err == nil {
		t.Error("a malformed trusted proxy: got no error")
	}
}
