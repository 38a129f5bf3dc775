package auth

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

func TestMintVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	opts := Options{HS256Secret: testSecret, Issuer: "storagegw", Audience: "files", OrgClaim: "tenant", RoleClaim: "r"}
	v := newVerifier(t, opts)
	tok, err := Mint(testSecret, MintParams{
		Sub: "user-7", Org: "org-7", Role: "admin", TTL: 5 * time.Minute,
		Issuer: "storagegw", Audience: "files", OrgClaim: "tenant", RoleClaim: "r",
	}, testNow)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	p, err := v.Verify(context.Background(), tok)
	want := domain.Principal{UserID: "user-7", OrgID: "org-7", Role: domain.RoleAdmin}
	if err != nil || p != want {
		t.Fatalf("got %+v, %v, want %+v", p, err, want)
	}

	later := newVerifier(t, Options{HS256Secret: testSecret, Issuer: "storagegw", Audience: "files",
		OrgClaim: "tenant", RoleClaim: "r", Clock: func() time.Time { return testNow.Add(6 * time.Minute) }})
	_, err = later.Verify(context.Background(), tok)
	checkResult(t, tok, domain.Principal{}, err, domain.ErrUnauthenticated, "token_expired")
}

func TestMintDefaultTTL(t *testing.T) {
	t.Parallel()
	tok, err := Mint(testSecret, MintParams{Sub: "u", Org: "o", Role: "viewer"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	c := jwt.MapClaims{}
	if _, err := jwt.NewParser(jwt.WithoutClaimsValidation()).ParseWithClaims(tok, c,
		func(*jwt.Token) (any, error) { return testSecret, nil }); err != nil {
		t.Fatal(err)
	}
	exp, _ := c.GetExpirationTime()
	if !exp.Equal(testNow.Add(DefaultTTL)) || c["org_id"] != "o" || c["role"] != "viewer" {
		t.Errorf("got claims %v, want exp %v and default claim names", c, testNow.Add(DefaultTTL))
	}
}

func TestMintRefuses(t *testing.T) {
	t.Parallel()
	good := MintParams{Sub: "u", Org: "o", Role: "member"}
	tests := []struct {
		name   string
		secret []byte
		mod    func(*MintParams)
	}{
		{"short secret", []byte("short"), func(*MintParams) {}},
		{"no sub", testSecret, func(p *MintParams) { p.Sub = "" }},
		{"no org", testSecret, func(p *MintParams) { p.Org = "" }},
		{"bad org", testSecret, func(p *MintParams) { p.Org = "a/b" }},
		{"unknown role", testSecret, func(p *MintParams) { p.Role = "owner" }},
		{"negative ttl", testSecret, func(p *MintParams) { p.TTL = -time.Minute }},
	}
	for _, tt := range tests {
		p := good
		tt.mod(&p)
		if tok, err := Mint(tt.secret, p, testNow); err == nil {
			t.Errorf("%s: got token %q, want an error", tt.name, tok)
		}
	}
}

func TestProvideVerifier(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := Settings{DevSecretFile: filepath.Join(dir, "dev-jwt-secret"), RoleClaim: "r"}
	v, cleanup, err := ProvideVerifier(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("ProvideVerifier: %v", err)
	}
	defer cleanup()
	secret, err := SigningSecret(cfg)
	if err != nil {
		t.Fatalf("SigningSecret: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dev-jwt-secret")); err != nil {
		t.Errorf("dev secret not created: %v", err)
	}
	tok, err := Mint(secret, cfg.MintParams(MintParams{Sub: "u", Org: "o", Role: "member"}), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Errorf("token minted with the config's secret refused: %v", err)
	}

	key, srv := jwksServer(t)
	cfg.JWKSURL = srv.URL
	jv, jcleanup, err := ProvideVerifier(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("ProvideVerifier with JWKS: %v", err)
	}
	defer jcleanup()
	claims := jwt.MapClaims{"sub": "u", "org_id": "o", "r": "viewer", "exp": time.Now().Add(time.Hour).Unix()}
	if _, err := jv.Verify(context.Background(), signRS256(t, key, "k1", claims)); err != nil {
		t.Errorf("JWKS-signed token refused: %v", err)
	}
	if _, err := jv.Verify(context.Background(), tok); err == nil {
		t.Errorf("HS256 token accepted by a JWKS verifier")
	}
	if _, err := SigningSecret(cfg); err == nil {
		t.Errorf("SigningSecret with JWKS: got no error, want one")
	}
}
