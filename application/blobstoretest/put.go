package blobstoretest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

var errBoom = errors.New("blobstoretest: reader failed on purpose")

func testPutReplaces(t *testing.T, newStore NewStoreFunc) {
	s := newStore(t)
	mustPut(t, s, "replace/k", []byte("first version, longer than the second"))
	mustPut(t, s, "replace/k", []byte("second"))
	wantContent(t, s, "replace/k", []byte("second"))
	mustPut(t, s, "replace/k", nil)
	wantContent(t, s, "replace/k", nil)
}

func testPutReaderFails(t *testing.T, newStore NewStoreFunc) {
	readerErrs := []struct {
		name string
		err  error
	}{
		{"custom error", errBoom},
		{"too large", fmt.Errorf("blobstoretest: limit reached: %w", domain.ErrTooLarge)},
	}
	for _, re := range readerErrs {
		for _, after := range []int{0, 3<<20 + 1} {
			for _, existing := range []bool{false, true} {
				name := fmt.Sprintf("%s after %d bytes, existing key %t", re.name, after, existing)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					s := newStore(t)
					key := "fail/dir/k"
					old := []byte("the previous blob")
					if existing {
						mustPut(t, s, key, old)
					}
					r := &chunkReader{r: &failingReader{data: randomBytes(after), err: re.err}, n: 64 << 10}
					_, err := s.Put(t.Context(), key, r, "application/octet-stream")
					if !errors.Is(err, re.err) {
						t.Fatalf("Put: got error %v, want one matching %v", err, re.err)
					}
					if existing {
						wantContent(t, s, key, old)
					} else {
						wantAbsent(t, s, key)
						wantListed(t, s, "fail/", nil)
					}
				})
			}
		}
	}
}

func testPutContextCancelled(t *testing.T, newStore NewStoreFunc) {
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("before Put, existing key %t", existing), func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			old := seed(t, s, "ctx/k", existing)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if _, err := s.Put(ctx, "ctx/k", bytes.NewReader([]byte("new")), ""); err == nil {
				t.Fatalf("Put with a cancelled context: got nil error, want one")
			}
			wantOnly(t, s, "ctx/k", old)
		})
		t.Run(fmt.Sprintf("during Put, existing key %t", existing), func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			old := seed(t, s, "ctx/k", existing)
			ctx, cancel := context.WithCancel(t.Context())
			r := &cancellingReader{r: &chunkReader{r: bytes.NewReader(randomBytes(4 << 20)), n: 32 << 10}, cancel: cancel}
			if _, err := s.Put(ctx, "ctx/k", r, ""); err == nil {
				t.Fatalf("Put whose context is cancelled midway: got nil error, want one")
			}
			wantOnly(t, s, "ctx/k", old)
		})
	}
}

// seed stores a blob under key when existing is set and returns it.
func seed(t *testing.T, s application.BlobStore, key string, existing bool) []byte {
	t.Helper()
	if !existing {
		return nil
	}
	old := []byte("the previous blob")
	mustPut(t, s, key, old)
	return old
}

// wantOnly checks that key holds old, or is absent when old is nil.
func wantOnly(t *testing.T, s application.BlobStore, key string, old []byte) {
	t.Helper()
	if old == nil {
		wantAbsent(t, s, key)
		return
	}
	wantContent(t, s, key, old)
}

// cancellingReader cancels its context after its first Read and goes on
// handing out data, like a client whose request is cancelled mid-upload.
type cancellingReader struct {
	r      *chunkReader
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.cancel()
	return n, err
}
