package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef")
	testNow    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func at(d time.Duration) *jwt.NumericDate { return jwt.NewNumericDate(testNow.Add(d)) }

func claims(kv ...any) jwt.MapClaims {
	c := jwt.MapClaims{"sub": "user-1", "org_id": "org_1", "role": "member", "iat": at(0), "exp": at(time.Hour)}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func newVerifier(t *testing.T, o Options) *Verifier {
	t.Helper()
	if o.Clock == nil {
		o.Clock = func() time.Time { return testNow }
	}
	v, err := NewVerifier(o)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// checkResult asserts err has the wanted kind and code ("" = success) and
// never echoes the token.
func checkResult(t *testing.T, token string, p domain.Principal, err error, wantKind error, wantCode string) {
	t.Helper()
	if wantCode == "" {
		if err != nil {
			t.Fatalf("got %v, want success", err)
		}
		if p.UserID == "" || p.OrgID == "" || p.Role == "" {
			t.Errorf("got principal %+v, want all fields set", p)
		}
		return
	}
	var de *domain.Error
	if !errors.As(err, &de) || !errors.Is(err, wantKind) || de.Code != wantCode {
		t.Fatalf("got %v (%T), want %v with code %s", err, err, wantKind, wantCode)
	}
	if token != "" && strings.Contains(err.Error(), token) {
		t.Errorf("error echoes the token: %v", err)
	}
}

func TestVerifyHS256(t *testing.T) {
	t.Parallel()
	hs := func(c jwt.MapClaims) func(*testing.T) string {
		return func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, c) }
	}
	unauth, forbidden := domain.ErrUnauthenticated, domain.ErrForbidden
	tests := []struct {
		name  string
		opts  Options
		token func(*testing.T) string
		kind  error
		code  string
	}{
		{"valid", Options{}, hs(claims()), nil, ""},
		{"empty", Options{}, func(*testing.T) string { return "  " }, unauth, "token_missing"},
		{"garbage", Options{}, func(*testing.T) string { return "not.a.jwt" }, unauth, "token_invalid"},
		{"alg none", Options{}, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims())
		}, unauth, "token_invalid"},
		{"HS384 refused", Options{}, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS384, testSecret, claims()) }, unauth, "token_invalid"},
		{"wrong key", Options{}, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), claims())
		}, unauth, "token_invalid"},
		{"expired", Options{Leeway: 30 * time.Second}, hs(claims("exp", at(-2*time.Minute))), unauth, "token_expired"},
		{"expired within leeway", Options{Leeway: 30 * time.Second}, hs(claims("exp", at(-10*time.Second))), nil, ""},
		{"expired without leeway", Options{}, hs(claims("exp", at(-10*time.Second))), unauth, "token_expired"},
		{"expired with bad signature", Options{}, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), claims("exp", at(-time.Hour)))
		}, unauth, "token_invalid"},
		{"nbf in future", Options{Leeway: 30 * time.Second}, hs(claims("nbf", at(2*time.Minute))), unauth, "token_invalid"},
		{"nbf within leeway", Options{Leeway: 30 * time.Second}, hs(claims("nbf", at(10*time.Second))), nil, ""},
		{"iat in future", Options{Leeway: 30 * time.Second}, hs(claims("iat", at(2*time.Minute))), unauth, "token_invalid"},
		{"missing exp", Options{}, hs(claims("exp", nil)), unauth, "token_invalid"},
		{"exp not a number", Options{}, hs(claims("exp", "tomorrow")), unauth, "token_invalid"},
		{"issuer ok", Options{Issuer: "https://idp"}, hs(claims("iss", "https://idp")), nil, ""},
		{"wrong issuer", Options{Issuer: "https://idp"}, hs(claims("iss", "https://evil")), unauth, "token_invalid"},
		{"missing issuer", Options{Issuer: "https://idp"}, hs(claims()), unauth, "token_invalid"},
		{"audience ok", Options{Audience: "storagegw"}, hs(claims("aud", []string{"other", "storagegw"})), nil, ""},
		{"wrong audience", Options{Audience: "storagegw"}, hs(claims("aud", "other")), unauth, "token_invalid"},
		{"missing sub", Options{}, hs(claims("sub", nil)), unauth, "token_invalid"},
		{"missing org", Options{}, hs(claims("org_id", nil)), unauth, "token_invalid"},
		{"org not a string", Options{}, hs(claims("org_id", 42)), unauth, "token_invalid"},
		{"org with slash", Options{}, hs(claims("org_id", "../org")), unauth, "token_invalid"},
		{"missing role", Options{}, hs(claims("role", nil)), forbidden, "unknown_role"},
		{"unknown role", Options{}, hs(claims("role", "owner")), forbidden, "unknown_role"},
		{"custom claims", Options{OrgClaim: "tenant", RoleClaim: "https://example.com/role"},
			hs(claims("org_id", nil, "role", nil, "tenant", "t1", "https://example.com/role", "admin")), nil, ""},
		{"custom org claim absent", Options{OrgClaim: "tenant"}, hs(claims()), unauth, "token_invalid"},
		{"oversized", Options{}, hs(claims("pad", strings.Repeat("x", maxTokenBytes))), unauth, "token_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.HS256Secret = testSecret
			v := newVerifier(t, tt.opts)
			token := tt.token(t)
			p, err := v.Verify(context.Background(), token)
			checkResult(t, strings.TrimSpace(token), p, err, tt.kind, tt.code)
		})
	}
}

func TestVerifyClaimValues(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, Options{HS256Secret: testSecret, OrgClaim: "tenant"})
	tok := sign(t, jwt.SigningMethodHS256, testSecret, claims("tenant", "t-9", "role", "auditor"))
	p, err := v.Verify(context.Background(), tok)
	want := domain.Principal{UserID: "user-1", OrgID: "t-9", Role: domain.RoleAuditor}
	if err != nil || p != want {
		t.Errorf("got %+v, %v, want %+v", p, err, want)
	}
}

func TestNewVerifierRefuses(t *testing.T) {
	t.Parallel()
	tests := map[string]Options{
		"no key source":   {},
		"two key sources": {HS256Secret: testSecret, PublicKeyFile: "/nonexistent.pem"},
		"short secret":    {HS256Secret: []byte("short")},
		"missing file":    {PublicKeyFile: "/nonexistent.pem"},
	}
	for name, o := range tests {
		if _, err := NewVerifier(o); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}
