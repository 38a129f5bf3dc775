package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreateDevSecret returns the development HS256 secret stored at
// path, creating it (32 random bytes, hex-encoded, mode 0600) when missing.
// The secret is the file's text, so any tool reading the file signs tokens
// the service accepts. Creation is atomic and never replaces an existing
// file, so concurrent starters all end up with the same secret.
func LoadOrCreateDevSecret(path string) ([]byte, error) {
	if s, err := readSecret(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: dev secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("auth: dev secret: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".dev-jwt-secret-*")
	if err != nil {
		return nil, fmt.Errorf("auth: dev secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if werr == nil {
		werr = tmp.Chmod(0o600)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("auth: dev secret: %w", werr)
	}
	// Link fails if another starter got there first; either way the file
	// now holds the one secret everybody reads.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		if err := os.Rename(tmp.Name(), path); err != nil {
			return nil, fmt.Errorf("auth: dev secret: %w", err)
		}
	}
	return readSecret(path)
}

func readSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: dev secret: %w", err)
	}
	s := []byte(strings.TrimSpace(string(b)))
	if len(s) < minSecretBytes {
		return nil, fmt.Errorf("auth: dev secret %s is shorter than %d bytes: delete it to generate a new one", path, minSecretBytes)
	}
	return s, nil
}
