package spaces

import (
	"context"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

var _ application.PartWriter = (*Store)(nil)

// WritePart streams exactly size bytes of r to the store as part n of the
// upload (an S3 UploadPart), without buffering the part: minio-go sends
// the body as it reads it. It is bounded by the request's context and the
// transport's timeouts, not the operation timeout (a part may be large).
// A reader that ends early makes the request fail; S3 keeps nothing of it.
func (s *Store) WritePart(ctx context.Context, key, id string, n int, r io.Reader, size int64) (string, error) {
	cr := &shortReader{r: r, want: size}
	part, err := s.core.PutObjectPart(ctx, s.bucket, key, id, n, cr, size, minio.PutObjectPartOptions{})
	switch {
	case cr.err != nil:
		return "", fmt.Errorf("spaces: write part %d of %q: %w", n, key, cr.err)
	case err != nil:
		return "", storeError("write part", key, err)
	}
	return `"` + domain.NormalizeETag(part.ETag) + `"`, nil
}

// shortReader remembers the error of its reader, and turns an early end
// into one, so that WritePart answers the reader's failure, not the
// store's.
type shortReader struct {
	r    io.Reader
	want int64
	n    int64
	err  error
}

func (c *shortReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF && c.n < c.want {
		err = domain.Errorf(domain.ErrInvalid, "part_size_mismatch", "The part holds %d bytes; it must hold %d.", c.n, c.want)
	}
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}
