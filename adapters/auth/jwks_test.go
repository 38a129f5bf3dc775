package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

// jwksServer serves the public half of a fresh RSA key under kid "k1".
func jwksServer(t *testing.T) (*rsa.PrivateKey, *httptest.Server) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jwkset.NewJWKFromKey(&key.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: "k1", ALG: jwkset.AlgRS256, USE: jwkset.UseSig}})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{jwk.Marshal()}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return key, srv
}

func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWKSVerifier(t *testing.T) {
	t.Parallel()
	key, srv := jwksServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ks, err := NewJWKSKeySet(ctx, srv.URL, JWKSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(Options{KeySet: ks})
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"sub": "u1", "org_id": "org-1", "role": "viewer", "exp": time.Now().Add(time.Hour).Unix()}

	p, err := v.Verify(ctx, signRS256(t, key, "k1", claims))
	if err != nil || p.UserID != "u1" || p.OrgID != "org-1" || p.Role != domain.RoleViewer {
		t.Fatalf("valid JWKS token: got %+v, %v", p, err)
	}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, tok := range map[string]string{
		"signed by another key": signRS256(t, other, "k1", claims),
		"unknown kid":           signRS256(t, key, "nope", claims),
		"HS256 with a guessable secret": func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1"))
			return s
		}(),
	} {
		_, err := v.Verify(ctx, tok)
		if !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("%s: got %v, want ErrUnauthenticated", name, err)
		}
	}
}

func TestJWKSURLChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, u := range []string{"http://idp.example/jwks", "ftp://x/jwks", "::bad"} {
		if _, err := NewJWKSKeySet(ctx, u, JWKSOptions{}); err == nil {
			t.Errorf("%s: got a key set, want refusal", u)
		}
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	if _, err := NewJWKSKeySet(ctx, down.URL, JWKSOptions{}); err == nil {
		t.Errorf("unreachable JWKS: got a key set, want an error at start")
	}
}
