package spaces

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// Put streams r to key without knowing its size. A blob that fits in one
// part goes up in a single PUT; a larger one as a multipart upload,
// completed only after r reached EOF. S3 makes either atomic: the object
// appears whole at the final request, or not at all.
//
// Memory is bounded: two part buffers per upload, one being filled from r
// while the other is sent, so reading the client overlaps writing the
// store; while few uploads run, one may take a third buffer and send two
// parts at once (extraSenders), since a single part request at a time is
// slower than the store. Parts are PartSize bytes for the first 1000 parts, then double
// every 1000 (partSizeOf), so 10,000 parts hold at least 5 TiB while a
// file of a few GiB needs only two PartSize buffers. Each request to the
// store, retries included, runs within its budget (withBudget).
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
	small := make([]byte, min(s.partSize, smallBlob))
	n, eof, readErr := readPart(ctx, r, small)
	buf := &buffer{b: small}
	if readErr == nil && !eof && n == len(small) && int64(n) < s.partSize {
		buf = newBuffer(s.partSize)
		copy(buf.b, small[:n])
		var m int
		m, eof, readErr = readPart(ctx, r, buf.b[n:])
		n += m
	}
	release := (*buffer).free
	if readErr != nil {
		release(buf)
		return application.BlobInfo{}, fmt.Errorf("spaces: put %q: %w", key, readErr)
	}
	if err := ctx.Err(); err != nil {
		release(buf)
		return application.BlobInfo{}, storeError("put", key, err)
	}
	if eof {
		defer release(buf)
		var info minio.UploadInfo
		err := retryConflict(ctx, func() error {
			bctx, cancel := s.withBudget(ctx)
			defer cancel()
			var err error
			bd := newBody(buf.b[:n])
			defer bd.close()
			info, err = s.client.PutObject(bctx, s.bucket, key, bd, int64(n), opts)
			return err
		})
		if err != nil {
			return application.BlobInfo{}, storeError("put", key, err)
		}
		return blobInfo(key, int64(n), info.LastModified), nil
	}
	return s.putMultipart(ctx, key, r, part{buf: buf, n: n, number: 1}, opts, release)
}

// part is a buffer holding the n bytes of a part.
type part struct {
	buf    *buffer
	n      int
	number int
}

// partSizeOf is the size of part number (from 1) of a streamed upload:
// base for parts 1–1000, doubled for every further 1000 up to S3's 5 GiB,
// and 5 GiB for parts 9001–10000. Any base of at least MinPartSize so
// reaches 5 TiB within 10,000 parts.
func partSizeOf(base int64, number int) int64 {
	tier := (number - 1) / 1000
	if tier >= maxParts/1000-1 {
		return MaxPartSize
	}
	return min(base<<tier, MaxPartSize)
}

// extraSenders is how many Puts of a store may send two parts at once at
// any time, each with one more part buffer than the two of every Put.
const extraSenders = 2

// putMultipart uploads first, then the rest of r, as the parts of one
// multipart upload: this goroutine reads the next part while another
// sends the previous one, or, when the store has an extra sender to spare
// (extraSenders), two others send the previous two.
func (s *Store) putMultipart(ctx context.Context, key string, r io.Reader, first part,
	opts minio.PutObjectOptions, release func(*buffer)) (application.BlobInfo, error) {
	var uploadID string
	err := s.budgeted(ctx, func(ctx context.Context) (err error) {
		uploadID, err = s.core.NewMultipartUpload(ctx, s.bucket, key, opts)
		return err
	})
	if err != nil {
		release(first.buf)
		return application.BlobInfo{}, storeError("put", key, err)
	}
	senders := 1
	select {
	case s.extra <- struct{}{}:
		senders = 2
		defer func() { <-s.extra }()
	default:
	}
	buffers := senders + 1
	free := make(chan *buffer, buffers) // the upload's buffers, once sent
	for range buffers - 1 {
		free <- nil // allocated when needed
	}
	todo := make(chan part)
	sendCtx, stopSending := context.WithCancel(ctx)
	defer stopSending()
	var (
		sending sync.WaitGroup
		mu      sync.Mutex // guards parts, size and sendErr
		parts   []minio.CompletePart
		size    int64
		sendErr error
	)
	for range senders {
		sending.Go(func() { // sends the parts it takes, one at a time
			for p := range todo {
				mu.Lock()
				failed := sendErr != nil
				mu.Unlock()
				if !failed {
					var cp minio.ObjectPart
					err := s.budgeted(sendCtx, func(ctx context.Context) (err error) {
						bd := newBody(p.buf.b[:p.n])
						defer bd.close()
						cp, err = s.core.PutObjectPart(ctx, s.bucket, key, uploadID, p.number, bd, int64(p.n),
							minio.PutObjectPartOptions{})
						return err
					})
					mu.Lock()
					if err != nil {
						if sendErr == nil {
							sendErr = err
						}
						stopSending()
					} else {
						parts = append(parts, minio.CompletePart{PartNumber: cp.PartNumber, ETag: cp.ETag})
						size += int64(p.n)
					}
					mu.Unlock()
				}
				free <- p.buf
			}
		})
	}
	readErr := s.readParts(sendCtx, key, r, first, todo, free)
	close(todo)
	sending.Wait()
	for range buffers {
		release(<-free)
	}
	slices.SortFunc(parts, func(a, b minio.CompletePart) int { return a.PartNumber - b.PartNumber })
	switch {
	case sendErr != nil:
		return application.BlobInfo{}, s.abort(ctx, key, uploadID, storeError("put", key, sendErr))
	case readErr != nil:
		return application.BlobInfo{}, s.abort(ctx, key, uploadID, readErr)
	case ctx.Err() != nil:
		return application.BlobInfo{}, s.abort(ctx, key, uploadID, storeError("put", key, ctx.Err()))
	}
	var info minio.UploadInfo
	err = retryConflict(ctx, func() error {
		return s.budgeted(ctx, func(ctx context.Context) (err error) {
			info, err = s.core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, parts, opts)
			return err
		})
	})
	if err != nil {
		return application.BlobInfo{}, s.abort(ctx, key, uploadID, storeError("put", key, err))
	}
	return blobInfo(key, size, info.LastModified), nil
}

// readParts hands first, then the parts it reads from r, to todo, taking
// a buffer from free for each; it stops at r's end, at r's error (which it
// returns wrapped as it is), when ctx ends (the sender failed, or the
// caller gave up), or past maxParts (domain.ErrTooLarge).
func (s *Store) readParts(ctx context.Context, key string, r io.Reader, first part, todo chan<- part, free chan *buffer) error {
	p := first
	for {
		select {
		case todo <- p:
		case <-ctx.Done():
			free <- p.buf
			return nil
		}
		var buf *buffer
		select {
		case buf = <-free:
		case <-ctx.Done():
			return nil
		}
		next := p.number + 1
		want := partSizeOf(s.partSize, next)
		if buf == nil || int64(len(buf.b)) < want {
			buf.free()
			buf = newBuffer(want)
		}
		n, eof, err := readPart(ctx, r, buf.b[:want])
		if err != nil {
			free <- buf
			return fmt.Errorf("spaces: put %q: %w", key, err)
		}
		if n == 0 || ctx.Err() != nil { // r ended exactly at a part boundary, or stop
			free <- buf
			return nil
		}
		if next > maxParts {
			free <- buf
			return domain.Errorf(domain.ErrTooLarge, "too_large",
				"The file is larger than the store takes (%d parts).", maxParts)
		}
		p = part{buf: buf, n: n, number: next}
		if eof {
			select {
			case todo <- p:
			case <-ctx.Done():
				free <- p.buf
			}
			return nil
		}
	}
}

// budgeted runs op within a budget of its own (withBudget).
func (s *Store) budgeted(ctx context.Context, op func(context.Context) error) error {
	ctx, cancel := s.withBudget(ctx)
	defer cancel()
	return op(ctx)
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
