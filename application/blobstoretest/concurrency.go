package blobstoretest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"storagegw/application"
)

// testConcurrentPutsSameKey has 20 writers replace one key while readers
// watch it: every read sees one complete version (the first one or a
// writer's), never a mix, never a gap, and the last version is one of them.
func testConcurrentPutsSameKey(t *testing.T, newStore NewStoreFunc) {
	const writers = 20
	s := newStore(t)
	key := "concurrent/same/key"
	first := randomBytes(100 << 10)
	mustPut(t, s, key, first)

	valid := map[[32]byte]bool{sha256.Sum256(first): true}
	inputs := make([][]byte, writers)
	for i := range inputs {
		inputs[i] = randomBytes(128<<10 + i) // distinct sizes and contents
		valid[sha256.Sum256(inputs[i])] = true
	}

	var done atomic.Bool
	var readers, puts sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for !done.Load() {
				sum, err := readSum(t, s, key)
				if err != nil {
					t.Errorf("Open during concurrent puts: got error %v, want nil", err)
					return
				}
				if !valid[sum] {
					t.Errorf("Open during concurrent puts: got sha256 %x, want one of the versions put", sum)
					return
				}
			}
		})
	}
	for i := range writers {
		puts.Go(func() {
			r := &chunkReader{r: bytes.NewReader(inputs[i]), n: 16 << 10}
			if _, err := s.Put(t.Context(), key, r, "application/octet-stream"); err != nil {
				t.Errorf("Put #%d: got error %v, want nil", i, err)
			}
		})
	}
	puts.Wait()
	done.Store(true)
	readers.Wait()

	sum, err := readSum(t, s, key)
	if err != nil {
		t.Fatalf("Open after concurrent puts: got error %v, want nil", err)
	}
	if sum == sha256.Sum256(first) || !valid[sum] {
		t.Errorf("after concurrent puts: got sha256 %x, want the sum of one of the %d inputs", sum, writers)
	}
}

// testConcurrentPutDelete has pairs of writers put and delete keys in a
// shared directory, so stores that create directories on Put and prune
// them on Delete race each other.
func testConcurrentPutDelete(t *testing.T, newStore NewStoreFunc) {
	const workers, rounds = 20, 15
	s := newStore(t)
	dirOf := func(w int) string { return fmt.Sprintf("churn/pair%d/dir/", w/2) }
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				key := fmt.Sprintf("%sw%d-r%d", dirOf(w), w, r)
				if _, err := s.Put(t.Context(), key, bytes.NewReader([]byte(key)), "text/plain"); err != nil {
					t.Errorf("Put(%q): got error %v, want nil", key, err)
					return
				}
				if err := s.Delete(t.Context(), key); err != nil {
					t.Errorf("Delete(%q): got error %v, want nil", key, err)
					return
				}
			}
			key := fmt.Sprintf("%sw%02d-kept", dirOf(w), w) // one blob stays
			if _, err := s.Put(t.Context(), key, bytes.NewReader([]byte(key)), "text/plain"); err != nil {
				t.Errorf("Put(%q): got error %v, want nil", key, err)
			}
		})
	}
	wg.Wait()
	want := make([]string, workers)
	for w := range want {
		want[w] = fmt.Sprintf("%sw%02d-kept", dirOf(w), w)
	}
	slices.Sort(want)
	wantListed(t, s, "churn/", want)
}

// readSum returns the sha256 of key's whole content.
func readSum(t *testing.T, s application.BlobStore, key string) ([32]byte, error) {
	rc, _, err := s.Open(t.Context(), key, application.Whole)
	if err != nil {
		return [32]byte{}, err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}
