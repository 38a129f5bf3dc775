// Package blobstoretest is the conformance suite every application.BlobStore
// must pass, and an in-memory BlobStore that passes it.
package blobstoretest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

// NewStoreFunc returns a new, empty store for one test. It is called from
// parallel subtests and should register any cleanup with t.Cleanup.
type NewStoreFunc = func(t *testing.T) application.BlobStore

// Run runs the conformance suite for the application.BlobStore port against
// the stores newStore returns, each behind application.CheckedStore, as
// the use cases see it. Every sentence of the port contract has a test
// here; an adapter that passes may be used wherever the port is.
func Run(t *testing.T, newStore NewStoreFunc) {
	newStore = checked(newStore)
	tests := []struct {
		name string
		test func(*testing.T, NewStoreFunc)
	}{
		{"RoundTrip", testRoundTrip},
		{"Stat", testStat},
		{"Delete", testDelete},
		{"PutReplaces", testPutReplaces},
		{"PutReaderFails", testPutReaderFails},
		{"PutContextCancelled", testPutContextCancelled},
		{"ConcurrentPutsSameKey", testConcurrentPutsSameKey},
		{"ConcurrentPutDelete", testConcurrentPutDelete},
		{"OpenRange", testOpenRange},
		{"ListPrefix", testListPrefix},
		{"ListStartAfter", testListStartAfter},
		{"ListPagination", testListPagination},
		{"HostileKeys", testHostileKeys},
		{"OddKeys", testOddKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, newStore)
		})
	}
}

// checked puts the stores of newStore behind application.CheckedStore.
func checked(newStore NewStoreFunc) NewStoreFunc {
	return func(t *testing.T) application.BlobStore { return application.CheckedStore(newStore(t)) }
}

// mustPut stores data under key and checks what Put reports.
func mustPut(t *testing.T, s application.BlobStore, key string, data []byte) application.BlobInfo {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(data), "application/octet-stream")
	if err != nil {
		t.Fatalf("Put(%q): got error %v, want nil", key, err)
	}
	if info.Key != key || info.Size != int64(len(data)) {
		t.Errorf("Put(%q): got info {Key: %q, Size: %d}, want {Key: %q, Size: %d}",
			key, info.Key, info.Size, key, len(data))
	}
	return info
}

// mustRead returns the bytes of rng of key.
func mustRead(t *testing.T, s application.BlobStore, key string, rng application.Range) []byte {
	t.Helper()
	rc, _, err := s.Open(t.Context(), key, rng)
	if err != nil {
		t.Fatalf("Open(%q, %+v): got error %v, want nil", key, rng, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading Open(%q, %+v): got error %v, want nil", key, rng, err)
	}
	return b
}

// wantContent checks that key holds exactly data, comparing sha256 sums.
func wantContent(t *testing.T, s application.BlobStore, key string, data []byte) {
	t.Helper()
	if got, want := sha256.Sum256(mustRead(t, s, key, application.Whole)), sha256.Sum256(data); got != want {
		t.Errorf("content of %q: got sha256 %x, want %x", key, got, want)
	}
	info, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): got error %v, want nil", key, err)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("Stat(%q).Size: got %d, want %d", key, info.Size, len(data))
	}
}

// wantAbsent checks that key is stored nowhere: not by Stat, Open or List.
func wantAbsent(t *testing.T, s application.BlobStore, key string) {
	t.Helper()
	_, err := s.Stat(t.Context(), key)
	wantErr(t, "Stat("+key+")", err, domain.ErrNotFound)
	rc, _, err := s.Open(t.Context(), key, application.Whole)
	if err == nil {
		rc.Close()
	}
	wantErr(t, "Open("+key+")", err, domain.ErrNotFound)
	list, err := s.List(t.Context(), key, "", 10)
	if err != nil {
		t.Fatalf("List(%q): got error %v, want nil", key, err)
	}
	for _, info := range list {
		if info.Key == key {
			t.Errorf("List(%q): got %q listed, want it absent", key, key)
		}
	}
}

// wantErr checks that err matches want with errors.Is.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return b
}

// chunkReader hands out at most n bytes per Read and hides io.WriterTo, so
// stores must really stream.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// failingReader yields data, then fails with err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}
