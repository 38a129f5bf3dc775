package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestDevSecretIdempotent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dev-jwt-secret")
	first, err := LoadOrCreateDevSecret(path)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(first) != 64 {
		t.Errorf("got a %d-byte secret, want 64 hex characters", len(first))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("got mode %o, want 600", perm)
	}
	second, err := LoadOrCreateDevSecret(path)
	if err != nil || !bytes.Equal(first, second) {
		t.Errorf("second call: got %q, %v, want the same secret", second, err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".dev-jwt-secret-*"))
	if len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

func TestDevSecretConcurrentStartersAgree(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dev-jwt-secret")
	const n = 16
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = LoadOrCreateDevSecret(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("starter %d: got %q, %v, want %q", i, got[i], errs[i], got[0])
		}
	}
}

func TestDevSecretRefusesShortFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dev-jwt-secret")
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := LoadOrCreateDevSecret(path); err == nil {
		t.Errorf("got %q, want an error for a short secret", s)
	}
}
