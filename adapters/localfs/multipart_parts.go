package localfs

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"storagegw/domain"
)

// etagBytes is the length of the MD5 kept after each part's bytes.
const etagBytes = md5.Size

func partFile(id string, n int) string {
	return filepath.Join(uploadDir(id), strconv.Itoa(n)+partSuffix)
}

// ReceivePart checks a part URL's query and stores body as that part: it
// reads at most the part's size plus one byte, writes them with their MD5
// to a temp file in the upload's directory, syncs it and renames it over
// the part. The ETag is the quoted hex MD5, as S3 answers.
func (m *Multipart) ReceivePart(ctx context.Context, q url.Values, body io.Reader) (string, error) {
	t, err := m.signer.verifyPart(q)
	if err != nil {
		return "", err
	}
	return m.writePart(ctx, "receive part", t.Key, t.Upload, t.Part, t.Size, body)
}

// writePart stores exactly size bytes of body as part n of upload id:
// at most size plus one byte are read, written with their MD5 to a temp
// file in the upload's directory, synced and renamed over the part.
func (m *Multipart) writePart(ctx context.Context, op, key, id string, n int, size int64, body io.Reader) (string, error) {
	if _, err := m.meta(op, key, id); err != nil {
		return "", err
	}
	tmp := filepath.Join(uploadDir(id), rand.Text()+".tmp")
	f, err := m.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fsError(op, key, err) // the upload was aborted meanwhile: not found
	}
	h := md5.New()
	written, readErr, err := copyChunks(ctx, io.MultiWriter(f, h), io.LimitReader(body, size+1))
	switch {
	case err != nil || readErr != nil:
	case written > size:
		err = domain.Errorf(domain.ErrTooLarge, "part_too_large", "The part is larger than the %s it must hold.", domain.FormatSize(size))
	case written < size:
		err = domain.Errorf(domain.ErrInvalid, "part_size_mismatch", "The part holds %d bytes; it must hold %d.", written, size)
	default:
		sum := h.Sum(nil)
		if _, err = f.Write(sum); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && readErr == nil {
		err = m.root.Rename(tmp, partFile(id, n))
	}
	if err != nil || readErr != nil {
		_ = m.root.Remove(tmp)
		if readErr != nil {
			return "", fmt.Errorf("localfs: %s %d of %q: %w", op, n, key, readErr)
		}
		if domain.KindOf(err) != nil {
			return "", err
		}
		return "", fsError(op, key, err)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`, nil
}

// ListParts lists the parts received so far, reading each part's size
// and the MD5 kept after its bytes.
func (m *Multipart) ListParts(_ context.Context, key, id string) ([]domain.StoredPart, error) {
	if _, err := m.meta("list parts", key, id); err != nil {
		return nil, err
	}
	d, err := m.root.Open(uploadDir(id))
	if err != nil {
		return nil, fsError("list parts", key, err)
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return nil, fsError("list parts", key, err)
	}
	var out []domain.StoredPart
	for _, e := range entries {
		num, ok := strings.CutSuffix(e.Name(), partSuffix)
		n, err := strconv.Atoi(num)
		if !ok || err != nil || strconv.Itoa(n) != num || n < 1 || n > domain.MaxParts {
			continue
		}
		p, err := m.storedPart(id, n)
		if errors.Is(err, fs.ErrNotExist) {
			continue // aborted meanwhile
		}
		if err != nil {
			return nil, fsError("list parts", key, err)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.StoredPart) int { return a.Number - b.Number })
	return out, nil
}

// storedPart reads the size and ETag of part n.
func (m *Multipart) storedPart(id string, n int) (domain.StoredPart, error) {
	f, err := m.root.Open(partFile(id, n))
	if err != nil {
		return domain.StoredPart{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return domain.StoredPart{}, err
	}
	size := fi.Size() - etagBytes
	if size < 0 {
		return domain.StoredPart{}, fmt.Errorf("part %d is shorter than its checksum", n)
	}
	sum := make([]byte, etagBytes)
	if _, err := f.ReadAt(sum, size); err != nil {
		return domain.StoredPart{}, err
	}
	return domain.StoredPart{Number: n, ETag: `"` + hex.EncodeToString(sum) + `"`, Size: size}, nil
}
