package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey generates one 2048-bit key for the whole package.
func testRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

// writePEM writes pub as a PKIX PEM file and returns its path and bytes.
func writePEM(t *testing.T, pub crypto.PublicKey) (string, []byte) {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func ecKey(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVerifyAsymmetric(t *testing.T) {
	t.Parallel()
	rk := testRSAKey(t)
	rsaPath, rsaPEM := writePEM(t, &rk.PublicKey)
	ec256 := ecKey(t, elliptic.P256())
	ec256Path, _ := writePEM(t, &ec256.PublicKey)
	ec384 := ecKey(t, elliptic.P384())
	ec384Path, _ := writePEM(t, &ec384.PublicKey)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edPath, _ := writePEM(t, edPub)
	otherEC := ecKey(t, elliptic.P256())

	tests := []struct {
		name   string
		path   string
		method jwt.SigningMethod
		key    any
		ok     bool
	}{
		{"RS256", rsaPath, jwt.SigningMethodRS256, rk, true},
		{"RS512", rsaPath, jwt.SigningMethodRS512, rk, true},
		{"ES256", ec256Path, jwt.SigningMethodES256, ec256, true},
		{"ES384", ec384Path, jwt.SigningMethodES384, ec384, true},
		{"EdDSA", edPath, jwt.SigningMethodEdDSA, edPriv, true},
		{"HS256 with the RSA PEM as secret (algorithm confusion)", rsaPath, jwt.SigningMethodHS256, rsaPEM, false},
		{"HS256 with the RSA modulus as secret", rsaPath, jwt.SigningMethodHS256, rk.N.Bytes(), false},
		{"alg none against RSA", rsaPath, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, false},
		{"ES256 key on an RSA verifier", rsaPath, jwt.SigningMethodES256, ec256, false},
		{"ES256 by another key", ec256Path, jwt.SigningMethodES256, otherEC, false},
		{"ES384 on a P-256 verifier", ec256Path, jwt.SigningMethodES384, ec384, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(t, Options{PublicKeyFile: tt.path})
			tok := sign(t, tt.method, tt.key, claims())
			p, err := v.Verify(context.Background(), tok)
			if tt.ok {
				checkResult(t, tok, p, err, nil, "")
			} else {
				checkResult(t, tok, p, err, domain.ErrUnauthenticated, "token_invalid")
			}
		})
	}
}

func TestPublicKeyFileRefused(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPath, _ := writePEM(t, &small.PublicKey)
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"1024-bit RSA": smallPath, "not PEM": garbage} {
		if _, err := NewVerifier(Options{PublicKeyFile: path}); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}

// fakeKeySet stands in for a JWKS client.
type fakeKeySet struct{ key any }

func (f fakeKeySet) Keyfunc(*jwt.Token) (any, error) { return f.key, nil }

func TestVerifyKeySet(t *testing.T) {
	t.Parallel()
	rk := testRSAKey(t)
	v := newVerifier(t, Options{KeySet: fakeKeySet{&rk.PublicKey}})
	ok := sign(t, jwt.SigningMethodRS256, rk, claims())
	p, err := v.Verify(context.Background(), ok)
	checkResult(t, ok, p, err, nil, "")

	// A key set must never accept HMAC, even if it hands out a []byte.
	v = newVerifier(t, Options{KeySet: fakeKeySet{testSecret}})
	bad := sign(t, jwt.SigningMethodHS256, testSecret, claims())
	p, err = v.Verify(context.Background(), bad)
	checkResult(t, bad, p, err, domain.ErrUnauthenticated, "token_invalid")
}
