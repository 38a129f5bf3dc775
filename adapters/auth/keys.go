package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"os"

	"github.com/golang-jwt/jwt/v5"
)

// minRSABits is the smallest RSA modulus accepted.
const minRSABits = 2048

// asymmetricAlgs are the algorithms accepted from a KeySet: never HMAC, never none.
var asymmetricAlgs = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
}

// loadPublicKey reads a PEM public key (or certificate) and returns it with
// the algorithms it may verify.
func loadPublicKey(path string) (key any, algs []string, err error) {
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: public key file: %w", err)
	}
	if k, err := jwt.ParseRSAPublicKeyFromPEM(pemBytes); err == nil {
		if k.N.BitLen() < minRSABits {
			return nil, nil, fmt.Errorf("auth: public key file %q: RSA key of %d bits is too short, use at least %d",
				path, k.N.BitLen(), minRSABits)
		}
		return k, []string{"RS256", "RS384", "RS512"}, nil
	}
	if k, err := jwt.ParseECPublicKeyFromPEM(pemBytes); err == nil {
		alg, err := ecAlg(k)
		if err != nil {
			return nil, nil, fmt.Errorf("auth: public key file %q: %w", path, err)
		}
		return k, []string{alg}, nil
	}
	if k, err := jwt.ParseEdPublicKeyFromPEM(pemBytes); err == nil {
		return k, []string{jwt.SigningMethodEdDSA.Alg()}, nil
	}
	return nil, nil, fmt.Errorf("auth: public key file %q holds no PEM RSA, EC or Ed25519 public key", path)
}

// ecAlg is the one ECDSA algorithm matching the key's curve.
func ecAlg(k *ecdsa.PublicKey) (string, error) {
	switch k.Curve {
	case elliptic.P256():
		return "ES256", nil
	case elliptic.P384():
		return "ES384", nil
	case elliptic.P521():
		return "ES512", nil
	}
	return "", fmt.Errorf("unsupported EC curve %s: use P-256, P-384 or P-521", k.Curve.Params().Name)
}
