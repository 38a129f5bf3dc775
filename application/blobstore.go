package application

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"storagegw/domain"
)

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Range selects bytes [Offset, Offset+Length) of a blob; Length < 0 means to
// the end. The zero Range is the whole blob.
type Range struct {
	Offset int64
	Length int64
}

// Whole is the Range of an entire blob.
var Whole = Range{Offset: 0, Length: -1}

// Resolve applies r to a blob of size bytes, as every BlobStore.Open must:
// a Length below 1 reads to the end, a Length past the end is cut short,
// and an Offset at or past the end of a non-empty blob (or a negative one)
// is domain.ErrInvalid.
func (r Range) Resolve(size int64) (off, n int64, err error) {
	if r.Offset < 0 || (r.Offset > 0 && r.Offset >= size) {
		return 0, 0, domain.Errorf(domain.ErrInvalid, "invalid_range",
			"The range starts at byte %d of a %d-byte blob.", r.Offset, size)
	}
	n = size - r.Offset
	if r.Length > 0 && r.Length < n {
		n = r.Length
	}
	return r.Offset, n, nil
}

// BlobStore keeps blobs under keys. Keys follow ValidateBlobKey; any other
// key is refused with domain.ErrInvalid before any I/O, whatever the backend
// would accept. Every method returns domain.ErrUnavailable (wrapped) when the
// backend cannot be reached or fails for reasons of its own.
//
// The use cases see every BlobStore through CheckedStore, which enforces
// the argument contract (keys, prefixes, startAfter, limits, a Range's
// non-negative Offset) before the adapter is called, and gives the errors
// their one spelling (blob_not_found, store_unavailable). An adapter may
// assume valid arguments; it translates its vendor's errors to domain
// kinds (bare domain.ErrNotFound is enough) and checks what only it can
// know: the blob's size for Range.Resolve, its own limits on keys.
type BlobStore interface {
	// Put streams r to key and returns what was stored. It is atomic: readers
	// see either the previous blob or the complete new one, never a part.
	// When r returns an error, nothing is left under key (a previous blob
	// stays as it was) and Put returns an error that wraps r's error, so
	// errors.Is matches it (for example domain.ErrTooLarge).
	Put(ctx context.Context, key string, r io.Reader, contentType string) (BlobInfo, error)

	// Open returns the bytes of rng. A missing key is domain.ErrNotFound; an
	// Offset at or past the end of a non-empty blob is domain.ErrInvalid.
	// The caller closes the reader.
	Open(ctx context.Context, key string, rng Range) (io.ReadCloser, BlobInfo, error)

	// Stat describes key. A missing key is domain.ErrNotFound.
	Stat(ctx context.Context, key string) (BlobInfo, error)

	// Delete removes key. Removing a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// List returns up to limit blobs whose keys start with prefix and sort
	// after startAfter, in ascending byte order of key. A prefix need not end
	// at a '/'. Fewer than limit results means the listing is complete.
	List(ctx context.Context, prefix, startAfter string, limit int) ([]BlobInfo, error)
}

// MaxBlobKeyBytes bounds a blob key.
const MaxBlobKeyBytes = 1024

// ValidateBlobKey is the key grammar every BlobStore enforces: 1 to
// MaxBlobKeyBytes bytes of valid UTF-8, '/'-separated non-empty segments,
// none of them "." or "..", no leading slash, no backslash, no control
// character. Anything else is domain.ErrInvalid.
func ValidateBlobKey(key string) error {
	if key == "" || len(key) > MaxBlobKeyBytes {
		return badKey("A blob key must be 1 to 1024 bytes long.")
	}
	if !utf8.ValidString(key) {
		return badKey("A blob key must be valid UTF-8.")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return badKey("A blob key may not contain control characters or backslashes.")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return badKey("A blob key may not have empty, '.' or '..' segments.")
		}
	}
	return nil
}

// ValidateBlobPrefix checks a listing prefix: empty, or a key-like string
// that may end in '/' or in the middle of a segment.
func ValidateBlobPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return ValidateBlobKey(strings.TrimSuffix(prefix, "/"))
}

func badKey(msg string) error { return domain.Errorf(domain.ErrInvalid, "invalid_blob_key", "%s", msg) }
