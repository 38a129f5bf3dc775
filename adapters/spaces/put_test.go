package spaces

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// TestStreamedUpload puts blobs larger than a part through a reader that
// hides its size and reads them back.
func TestStreamedUpload(t *testing.T) {
	t.Parallel()
	for _, partSize := range []uint64{MinPartSize, DefaultPartSize} {
		t.Run(fmt.Sprintf("parts of %d MiB", partSize>>20), func(t *testing.T) {
			t.Parallel()
			o := newBucket(t)
			o.PartSize = partSize
			s, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			const size = 20<<20 + 12345
			h := sha256.New()
			r := io.TeeReader(&randomReader{n: size, rng: rand.NewChaCha8([32]byte{byte(partSize >> 20)})}, h)
			info, err := s.Put(t.Context(), "big/blob", r, "application/zip")
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if info.Size != size {
				t.Errorf("Put: got size %d, want %d", info.Size, size)
			}
			rc, oinfo, err := s.Open(t.Context(), "big/blob", application.Whole)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer rc.Close()
			back := sha256.New()
			if _, err := io.Copy(back, rc); err != nil {
				t.Fatalf("reading: %v", err)
			}
			if got, want := back.Sum(nil), h.Sum(nil); !slices.Equal(got, want) || oinfo.Size != size {
				t.Errorf("read back: got sha256 %x, size %d, want %x, %d", got, oinfo.Size, want, size)
			}
			st, err := adminClient(t, o).StatObject(t.Context(), o.Bucket, "big/blob", minio.StatObjectOptions{})
			if err != nil || st.ContentType != "application/zip" {
				t.Errorf("StatObject: got content type %q, %v, want application/zip", st.ContentType, err)
			}
			wantNoUploads(t, o)
		})
	}
}

// randomReader yields n pseudo-random bytes in odd-sized reads and hides
// any size or WriterTo from Put.
type randomReader struct {
	n   int
	rng *rand.ChaCha8
}

func (r *randomReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n, 100_003)]
	_, _ = r.rng.Read(p)
	r.n -= len(p)
	return len(p), nil
}

// TestFailedPutLeavesNothing fails Puts at several points of a multipart
// upload, by the reader and by the context, and checks that no object
// and no incomplete upload is left in the bucket.
func TestFailedPutLeavesNothing(t *testing.T) {
	t.Parallel()
	errReader := errors.New("reader failed on purpose")
	for _, after := range []int{0, 100, MinPartSize, MinPartSize + 1, 2*MinPartSize + 7} {
		t.Run(fmt.Sprintf("reader fails after %d bytes", after), func(t *testing.T) {
			t.Parallel()
			o := newBucket(t)
			s, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			r := io.MultiReader(&randomReader{n: after, rng: rand.NewChaCha8([32]byte{})}, &errorReader{errReader})
			_, err = s.Put(t.Context(), "fail/k", r, "")
			if !errors.Is(err, errReader) {
				t.Fatalf("Put: got error %v, want one matching the reader's", err)
			}
			wantEmpty(t, o)
		})
	}
	t.Run("context cancelled after two parts", func(t *testing.T) {
		t.Parallel()
		o := newBucket(t)
		s, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		r := &cancelAfter{r: &randomReader{n: 4 * MinPartSize, rng: rand.NewChaCha8([32]byte{})}, n: 2*MinPartSize + 1, cancel: cancel}
		_, err = s.Put(ctx, "fail/k", r, "")
		if !errors.Is(err, context.Canceled) || !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("Put: got error %v, want one matching context.Canceled and domain.ErrUnavailable", err)
		}
		wantEmpty(t, o)
	})
}

type errorReader struct{ err error }

func (e *errorReader) Read([]byte) (int, error) { return 0, e.err }

// cancelAfter cancels once n bytes were read through it.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	m, err := c.r.Read(p)
	if c.n -= m; c.n <= 0 {
		c.cancel()
	}
	return m, err
}

// wantEmpty checks that the bucket holds no object and no upload.
func wantEmpty(t *testing.T, o Options) {
	t.Helper()
	for obj := range adminClient(t, o).ListObjectsIter(t.Context(), o.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		t.Errorf("bucket holds %q (%v), want nothing", obj.Key, obj.Err)
	}
	wantNoUploads(t, o)
}

// wantNoUploads checks that no multipart upload is in progress.
func wantNoUploads(t *testing.T, o Options) {
	t.Helper()
	for u := range adminClient(t, o).ListIncompleteUploads(t.Context(), o.Bucket, "", true) {
		t.Errorf("incomplete upload of %q (id %q, %v) left behind, want none", u.Key, u.UploadID, u.Err)
	}
}

// TestListPages lists 30 keys in pages of the Store's List and, below it,
// in S3 pages of 4 keys, so both paginations are used.
func TestListPages(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	var want []string
	for i := range 30 {
		key := fmt.Sprintf("org/page/k%02d", i)
		mustPut(t, s, key, key)
		want = append(want, key)
	}
	mustPut(t, s, "org/pagf", "outside the prefix")
	for _, tc := range []struct{ limit, pageSize int }{{7, 7}, {7, 4}, {30, 4}, {1000, 4}, {31, 1000}} {
		var got []string
		after := ""
		for range 40 {
			page, err := s.list(t.Context(), "org/page/", after, tc.limit, tc.pageSize)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			for _, info := range page {
				got = append(got, info.Key)
				if info.Size != int64(len(info.Key)) || info.ModTime.IsZero() {
					t.Errorf("list: %q has size %d, time %v, want %d and a time", info.Key, info.Size, info.ModTime, len(info.Key))
				}
			}
			if len(page) < tc.limit {
				break
			}
			after = page[len(page)-1].Key
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of %d over S3 pages of %d: got %q, want %q", tc.limit, tc.pageSize, got, want)
		}
	}
}
