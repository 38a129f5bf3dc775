package spaces

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// Open returns rng of key with one GET, so the bytes and the size come
// from the same version of the object even while it is being replaced.
// The operation timeout bounds the wait for the response, not the reading
// of the body, which the transport's idle timeout guards instead.
func (s *Store) Open(ctx context.Context, key string, rng application.Range) (io.ReadCloser, application.BlobInfo, error) {
	var opts minio.GetObjectOptions
	ranged := rng.Offset > 0 || rng.Length > 0
	if ranged {
		end := int64(0) // to the end
		if rng.Length > 0 {
			end = rng.Offset + rng.Length - 1
		}
		if err := opts.SetRange(rng.Offset, end); err != nil {
			return nil, application.BlobInfo{}, storeError("open", key, err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(s.opTimeout, cancel)
	body, info, header, err := s.core.GetObject(ctx, s.bucket, key, opts)
	if !timer.Stop() { // no response within the timeout (or just as it ran out)
		if err == nil {
			body.Close()
		}
		err = fmt.Errorf("no response within %v: %w", s.opTimeout, context.DeadlineExceeded)
	}
	if err != nil {
		cancel()
		var er minio.ErrorResponse
		if rng.Offset == 0 && errors.As(err, &er) && er.Code == "InvalidRange" {
			return s.openEmpty(ctx, key) // bytes=0-N of an empty blob
		}
		return nil, application.BlobInfo{}, storeError("open", key, err)
	}
	size := info.Size
	if ranged {
		if size, err = totalSize(header.Get("Content-Range")); err != nil {
			body.Close()
			cancel()
			return nil, application.BlobInfo{}, storeError("open", key, err)
		}
	}
	return &object{body: body, cancel: cancel, key: key}, blobInfo(key, size, info.LastModified), nil
}

// openEmpty serves a range starting at 0 that the store refused: fine for
// an empty blob, an error otherwise.
func (s *Store) openEmpty(ctx context.Context, key string) (io.ReadCloser, application.BlobInfo, error) {
	info, err := s.Stat(context.WithoutCancel(ctx), key)
	if err != nil {
		return nil, application.BlobInfo{}, err
	}
	if info.Size != 0 {
		return nil, application.BlobInfo{}, storeError("open", key, errors.New("range refused for a non-empty blob"))
	}
	return io.NopCloser(bytes.NewReader(nil)), info, nil
}

// totalSize reads the size of the whole object from "bytes a-b/size".
func totalSize(contentRange string) (int64, error) {
	_, total, ok := strings.Cut(contentRange, "/")
	n, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil || n < 0 {
		return 0, errors.New("response without a valid Content-Range: " + strconv.Quote(contentRange))
	}
	return n, nil
}

// object is the body of a GET; errors reading it are the store's.
type object struct {
	body   io.ReadCloser
	cancel context.CancelFunc
	key    string
}

func (o *object) Read(p []byte) (int, error) {
	n, err := o.body.Read(p)
	if err != nil && err != io.EOF {
		err = storeError("read", o.key, err)
	}
	return n, err
}

func (o *object) Close() error {
	err := o.body.Close()
	o.cancel()
	return err
}

// Stat describes key with a HEAD request.
func (s *Store) Stat(ctx context.Context, key string) (application.BlobInfo, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return application.BlobInfo{}, storeError("stat", key, err)
	}
	return blobInfo(key, info.Size, info.LastModified), nil
}

// Delete removes key; S3 reports success for a missing key too.
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil {
		if err = storeError("delete", key, err); errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		return err
	}
	return nil
}
