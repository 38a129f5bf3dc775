package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"storagegw/application"
	"storagegw/domain"
)

// CompleteMultipart checks parts against the parts received, as S3 does
// (each part uploaded, with a matching ETag, each but the last at least
// domain.MinPartBytes; the checked store has checked the list's order),
// then streams them one after the other into the
// blob through Put (temp file, fsync, rename: the blob appears whole) and
// removes the upload's directory. A refused list leaves the upload open.
func (m *Multipart) CompleteMultipart(ctx context.Context, key, id string, parts []domain.PartRef) (application.BlobInfo, error) {
	meta, err := m.meta("complete multipart", key, id)
	if err != nil {
		return application.BlobInfo{}, err
	}
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		stored, err := m.storedPart(id, p.Number)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return application.BlobInfo{}, domain.Errorf(domain.ErrInvalid, "invalid_part", "Part %d was not uploaded.", p.Number)
		case err != nil:
			return application.BlobInfo{}, fsError("complete multipart", key, err)
		case domain.NormalizeETag(p.ETag) != domain.NormalizeETag(stored.ETag):
			return application.BlobInfo{}, domain.Errorf(domain.ErrInvalid, "invalid_part",
				"Part %d was not uploaded with that ETag.", p.Number)
		case i < len(parts)-1 && stored.Size < domain.MinPartBytes:
			return application.BlobInfo{}, domain.Errorf(domain.ErrInvalid, "part_too_small",
				"Part %d is smaller than the %d bytes of every part but the last.", p.Number, domain.MinPartBytes)
		}
		sizes[i] = stored.Size
	}
	r := &partsReader{m: m, id: id, parts: parts, sizes: sizes}
	defer r.close()
	info, err := m.Put(ctx, key, r, meta.ContentType)
	if err != nil {
		return application.BlobInfo{}, err
	}
	if err := m.root.RemoveAll(uploadDir(id)); err != nil {
		return info, fsError("complete multipart", key, err)
	}
	return info, nil
}

// partsReader reads the bytes of parts one after the other, each without
// the MD5 that follows it, holding one part file open at a time.
type partsReader struct {
	m     *Multipart
	id    string
	parts []domain.PartRef
	sizes []int64
	next  int
	f     *os.File
	cur   io.Reader
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.cur != nil {
			n, err := r.cur.Read(p)
			if err != io.EOF {
				return n, err
			}
			r.close()
			if n > 0 {
				return n, nil
			}
		}
		if r.next == len(r.parts) {
			return 0, io.EOF
		}
		f, err := r.m.root.Open(partFile(r.id, r.parts[r.next].Number))
		if err != nil {
			// The upload was aborted or completed meanwhile.
			return 0, fmt.Errorf("localfs: read part %d: %w: %w", r.parts[r.next].Number, domain.ErrNotFound, err)
		}
		r.f, r.cur = f, io.LimitReader(f, r.sizes[r.next])
		r.next++
	}
}

func (r *partsReader) close() {
	if r.f != nil {
		r.f.Close()
	}
	r.f, r.cur = nil, nil
}
