package spaces

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// Put streams r to key without knowing its size. It reads r one part at a
// time into a buffer of PartSize bytes: a blob that fits in one part goes
// up in a single PUT; a larger one as a multipart upload, part by part,
// completed only after r reached EOF. S3 makes either atomic: the object
// appears whole at the final request, or not at all.
//
// When r fails (or ctx ends) the multipart upload is aborted by its id,
// with a context of its own so that a cancelled request still cleans up,
// and Put returns r's error wrapped as it is. Nothing is uploaded with an
// ACL: the object gets the bucket's default (private on Spaces).
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (application.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return application.BlobInfo{}, storeError("put", key, err)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	opts := minio.PutObjectOptions{ContentType: contentType, PartSize: uint64(s.partSize)}
	// Most blobs are small: read a little first, and take a whole part's
	// buffer only for a blob larger than that.
	buf := make([]byte, min(s.partSize, smallBlob))
	n, eof, readErr := readPart(ctx, r, buf)
	if readErr == nil && !eof && n == len(buf) && int64(n) < s.partSize {
		part := s.parts.Get().(*[]byte)
		defer s.parts.Put(part)
		copy(*part, buf[:n])
		var m int
		m, eof, readErr = readPart(ctx, r, (*part)[n:])
		buf, n = *part, n+m
	}
	if readErr != nil {
		return application.BlobInfo{}, fmt.Errorf("spaces: put %q: %w", key, readErr)
	}
	if err := ctx.Err(); err != nil {
		return application.BlobInfo{}, storeError("put", key, err)
	}
	if eof {
		var info minio.UploadInfo
		err := retryConflict(ctx, func() (err error) {
			info, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(buf[:n]), int64(n), opts)
			return err
		})
		if err != nil {
			return application.BlobInfo{}, storeError("put", key, err)
		}
		return blobInfo(key, int64(n), info.LastModified), nil
	}
	return s.putMultipart(ctx, key, r, buf, n, opts)
}

// putMultipart uploads buf[:n], then the rest of r, as the parts of one
// multipart upload.
func (s *Store) putMultipart(ctx context.Context, key string, r io.Reader, buf []byte, n int,
	opts minio.PutObjectOptions) (application.BlobInfo, error) {
	uploadID, err := s.core.NewMultipartUpload(ctx, s.bucket, key, opts)
	if err != nil {
		return application.BlobInfo{}, storeError("put", key, err)
	}
	var (
		parts []minio.CompletePart
		size  int64
		eof   bool
	)
	for {
		part, err := s.core.PutObjectPart(ctx, s.bucket, key, uploadID, len(parts)+1,
			bytes.NewReader(buf[:n]), int64(n), minio.PutObjectPartOptions{})
		if err != nil {
			return application.BlobInfo{}, s.abort(ctx, key, uploadID, storeError("put", key, err))
		}
		parts = append(parts, minio.CompletePart{PartNumber: part.PartNumber, ETag: part.ETag})
		size += int64(n)
		if eof {
			break
		}
		var readErr error
		n, eof, readErr = readPart(ctx, r, buf)
		if readErr != nil {
			return application.BlobInfo{}, s.abort(ctx, key, uploadID, fmt.Errorf("spaces: put %q: %w", key, readErr))
		}
		if err := ctx.Err(); err != nil {
			return application.BlobInfo{}, s.abort(ctx, key, uploadID, storeError("put", key, err))
		}
		if n == 0 { // r ended exactly at a part boundary
			break
		}
		if len(parts) == maxParts {
			return application.BlobInfo{}, s.abort(ctx, key, uploadID, domain.Errorf(domain.ErrTooLarge, "too_large",
				"The file is larger than the store takes (%d parts of %d bytes).", maxParts, len(buf)))
		}
	}
	var info minio.UploadInfo
	err = retryConflict(ctx, func() (err error) {
		info, err = s.core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, parts, opts)
		return err
	})
	if err != nil {
		return application.BlobInfo{}, s.abort(ctx, key, uploadID, storeError("put", key, err))
	}
	return blobInfo(key, size, info.LastModified), nil
}

const (
	// smallBlob is how much Put reads before it takes a part buffer.
	smallBlob = 256 << 10
	// maxParts is S3's limit on the parts of one upload.
	maxParts = 10000
)

// abort aborts upload uploadID, detached from ctx (which may be what
// ended) but bounded by the operation timeout, and returns cause. An abort
// that fails too is reported along with cause; the upload is then left
// for the bucket's lifecycle rule on incomplete uploads.
func (s *Store) abort(ctx context.Context, key, uploadID string, cause error) error {
	actx, cancel := s.withTimeout(context.WithoutCancel(ctx))
	defer cancel()
	err := s.core.AbortMultipartUpload(actx, s.bucket, key, uploadID)
	var er minio.ErrorResponse
	if err == nil || errors.As(err, &er) && er.Code == "NoSuchUpload" {
		return cause
	}
	return fmt.Errorf("%w (aborting multipart upload %s failed too: %v)", cause, uploadID, err)
}

// retryConflict calls put until it succeeds, fails otherwise than with a
// conflict code, or has failed conflictAttempts times: a file-backed store
// reports a conflict when a concurrent Delete removed the directory the
// object was going into (conflictCodes), and trying again then succeeds.
func retryConflict(ctx context.Context, put func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = put()
		var er minio.ErrorResponse
		if err == nil || attempt == conflictAttempts || !errors.As(err, &er) || !conflictCodes[er.Code] {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
		}
	}
}

// conflictAttempts bounds retryConflict.
const conflictAttempts = 4

// readPart fills buf from r. eof reports that r is exhausted (n may still
// be positive). A Read error other than io.EOF is returned as it is, and
// ctx is checked between reads so that a cancelled Put stops reading.
func readPart(ctx context.Context, r io.Reader, buf []byte) (n int, eof bool, err error) {
	for n < len(buf) {
		if ctx.Err() != nil {
			return n, false, nil // the caller checks ctx
		}
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}

// blobInfo describes what Put stored; stores that do not say when (S3
// does not on multipart completion) get the local time.
func blobInfo(key string, size int64, modTime time.Time) application.BlobInfo {
	if modTime.IsZero() {
		modTime = time.Now()
	}
	return application.BlobInfo{Key: key, Size: size, ModTime: modTime.UTC()}
}
