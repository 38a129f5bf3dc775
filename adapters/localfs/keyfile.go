package localfs

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"storagegw/domain"
)

// LoadOrCreateKey returns the signing key stored in path, creating it
// first with MinKeyBytes random bytes if the file does not exist. The file
// is written 0o600 to a temp file and hard-linked into place, which fails
// rather than overwrites when another process got there first; then that
// process's key is read. So all processes sharing the directory end up
// with one key. An existing file is used byte for byte and must hold at
// least MinKeyBytes bytes.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localfs: create signing key: %w", err)
	}
	tmp, err := writeTemp(dir)
	if err != nil {
		return nil, fmt.Errorf("localfs: create signing key: %w", err)
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links on this filesystem: fall back to a plain rename.
		err = os.Rename(tmp, path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("localfs: create signing key: %w", err)
	}
	return readKey(path)
}

// readKey reads a key file and checks its length.
func readKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("localfs: read signing key: %w", err)
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("localfs: signing key %s holds %d bytes, want at least %d: %w",
			path, len(key), MinKeyBytes, domain.ErrInvalid)
	}
	return key, nil
}

// writeTemp writes a new random key to a synced 0o600 temp file in dir and
// returns its name.
func writeTemp(dir string) (string, error) {
	key := make([]byte, MinKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".signing-key-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
