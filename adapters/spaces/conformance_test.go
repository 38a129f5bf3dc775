package spaces

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/domain"
)

// TestConformance runs the BlobStore suite, unchanged, against the Store
// on the test S3 server.
//
// versitygw's posix backend (like MinIO) keeps objects as files, so it
// cannot hold "a" and "a/b" at once, which the suite's listing and odd-key
// cases do and Spaces allows (TestNestedKeysOnFileBackedStores). The
// suite therefore sees a byDepth: real Stores, one bucket per key depth,
// so that no two keys of one bucket nest. Every call still goes through
// the Store to the server; byDepth only routes it, and merges listings.
// The application's own keys ({path}/{uploadID}) all have the same depth
// and never nest.
func TestConformance(t *testing.T) {
	testServer(t)
	blobstoretest.Run(t, func(t *testing.T) application.BlobStore {
		return &byDepth{t: t, stores: map[int]*Store{1: newTestStore(t)}}
	})
}

// byDepth is a BlobStore spreading keys over Stores by depth (number of
// segments), each on a bucket of its own, created on first use.
type byDepth struct {
	t      *testing.T
	mu     sync.Mutex
	stores map[int]*Store
}

// store returns the Store of key's depth. Keys the Store will refuse go
// to depth 1, whose Store refuses them.
func (b *byDepth) store(key string) *Store {
	b.mu.Lock()
	defer b.mu.Unlock()
	depth := strings.Count(key, "/") + 1
	if application.ValidateBlobKey(key) != nil {
		depth = 1
	}
	s, ok := b.stores[depth]
	if !ok {
		s = newTestStore(b.t)
		b.stores[depth] = s
	}
	return s
}

func (b *byDepth) Put(ctx context.Context, key string, r io.Reader, ct string) (application.BlobInfo, error) {
	return b.store(key).Put(ctx, key, r, ct)
}

func (b *byDepth) Open(ctx context.Context, key string, rng application.Range) (io.ReadCloser, application.BlobInfo, error) {
	return b.store(key).Open(ctx, key, rng)
}

func (b *byDepth) Stat(ctx context.Context, key string) (application.BlobInfo, error) {
	return b.store(key).Stat(ctx, key)
}

func (b *byDepth) Delete(ctx context.Context, key string) error {
	return b.store(key).Delete(ctx, key)
}

// List lists every depth's Store and merges the sorted results.
func (b *byDepth) List(ctx context.Context, prefix, startAfter string, limit int) ([]application.BlobInfo, error) {
	b.mu.Lock()
	stores := slices.Collect(func(yield func(*Store) bool) {
		for _, s := range b.stores {
			if !yield(s) {
				return
			}
		}
	})
	b.mu.Unlock()
	var all []application.BlobInfo
	for _, s := range stores {
		list, err := s.List(ctx, prefix, startAfter, limit)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
	}
	slices.SortFunc(all, func(x, y application.BlobInfo) int { return strings.Compare(x.Key, y.Key) })
	return all[:min(limit, len(all))], nil
}

// TestNestedKeysOnFileBackedStores pins down what a file-backed store does
// with nested keys: the second Put is refused as a conflict
// (domain.ErrExists), whichever comes first, and the first blob stays.
func TestNestedKeysOnFileBackedStores(t *testing.T) {
	s := newTestStore(t)
	for _, keys := range [][2]string{{"a", "a/b"}, {"c/d", "c"}} {
		mustPut(t, s, keys[0], "first")
		_, err := s.Put(t.Context(), keys[1], strings.NewReader("second"), "")
		if err == nil {
			t.Logf("Put(%q) after Put(%q): the server takes nested keys", keys[1], keys[0])
			continue
		}
		if !errors.Is(err, domain.ErrExists) {
			t.Errorf("Put(%q) after Put(%q): got error %v, want one matching domain.ErrExists", keys[1], keys[0], err)
		}
		wantBlob(t, s, keys[0], "first")
	}
}
