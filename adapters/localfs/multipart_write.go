package localfs

import (
	"context"
	"io"

	"storagegw/application"
)

var _ application.PartWriter = (*Multipart)(nil)

// WritePart stores exactly size bytes of r as part n of the upload, as
// ReceivePart stores the bytes sent to a part URL (TUS uploads send their
// bytes through the service).
func (m *Multipart) WritePart(ctx context.Context, key, id string, n int, r io.Reader, size int64) (string, error) {
	return m.writePart(ctx, "write part", key, id, n, size, r)
}
