package localfs

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"storagegw/domain"
)

// LoadAuditSigningKey reads the Ed25519 key that signs audit checkpoints
// from path, a PKCS#8 PEM file ("PRIVATE KEY", as `openssl genpkey
// -algorithm ed25519` writes). When generate is set (development) and the
// file is missing, a key is generated there first, raw, like the URL
// signing key (LoadOrCreateKey): its 32 bytes are the key's seed.
func LoadAuditSigningKey(path string, generate bool) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && generate {
		b, err = LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("localfs: audit signing key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		if generate && len(b) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(b), nil
		}
		return nil, fmt.Errorf("localfs: audit signing key %s is not a PEM file: %w", path, domain.ErrInvalid)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("localfs: audit signing key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("localfs: audit signing key %s is a %T, not Ed25519: %w", path, k, domain.ErrInvalid)
	}
	return key, nil
}

// LoadAuditVerifyKeys reads the retired Ed25519 public keys in path: PEM
// "PUBLIC KEY" blocks (PKIX, as `openssl pkey -pubout` writes), one after
// the other. An empty path is no keys.
func LoadAuditVerifyKeys(path string) ([]ed25519.PublicKey, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("localfs: audit verify keys: %w", err)
	}
	var keys []ed25519.PublicKey
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("localfs: audit verify keys %s: %w", path, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("localfs: audit verify keys %s: a %T, not Ed25519: %w", path, k, domain.ErrInvalid)
		}
		keys = append(keys, pub)
	}
	if len(bytes.TrimSpace(b)) > 0 || len(keys) == 0 {
		return nil, fmt.Errorf("localfs: audit verify keys %s: not a file of PEM public keys: %w", path, domain.ErrInvalid)
	}
	return keys, nil
}
