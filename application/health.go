package application

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
)

// HealthChecker is an optional capability of an adapter, found by type
// assertion: Check reports whether its backend answers right now, without
// changing anything. It returns nil when healthy and an error matching
// domain.ErrUnavailable otherwise, within ctx's deadline.
type HealthChecker interface {
	Check(ctx context.Context) error
}

// ProbeBlobStore writes a small object under DoctorPrefix, reads it back,
// compares it and removes it: the blob-store check of `storagegw doctor`.
// It returns the key it used and an error naming the step that failed.
// It goes through CheckedStore, as the use cases do.
func ProbeBlobStore(ctx context.Context, blobs BlobStore) (string, error) {
	blobs = CheckedStore(blobs)
	key := DoctorPrefix + "probe-" + rand.Text()
	want := []byte("storagegw doctor probe " + key)
	if err := ValidateBlobKey(key); err != nil {
		return key, fmt.Errorf("probe key: %w", err)
	}
	if _, err := blobs.Put(ctx, key, bytes.NewReader(want), "text/plain"); err != nil {
		return key, fmt.Errorf("write: %w", err)
	}
	rc, _, err := blobs.Open(ctx, key, Whole)
	if err != nil {
		_ = blobs.Delete(ctx, key)
		return key, fmt.Errorf("read: %w", err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err == nil && !bytes.Equal(got, want) {
		err = fmt.Errorf("got %d bytes back, want the %d written", len(got), len(want))
	}
	if err != nil {
		_ = blobs.Delete(ctx, key)
		return key, fmt.Errorf("read: %w", err)
	}
	if err := blobs.Delete(ctx, key); err != nil {
		return key, fmt.Errorf("delete: %w", err)
	}
	if _, err := blobs.Stat(ctx, key); err == nil {
		return key, fmt.Errorf("delete: the probe is still there")
	}
	return key, nil
}
