package application

import (
	"context"
	"io"
)

// blobReaderAt reads a stored blob at arbitrary offsets through ranged
// Opens, so checks such as zip validation need not buffer the file. Each
// ReadAt is one ranged Open (a GET on S3): domain.ZipArchive.Check makes
// few and large ones (the tail, then the central directory in 1 MiB
// chunks), so nothing here buffers.
type blobReaderAt struct {
	ctx   context.Context
	blobs BlobStore
	key   string
}

func (b *blobReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	rc, _, err := b.blobs.Open(b.ctx, b.key, Range{Offset: off, Length: int64(len(p))})
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}
