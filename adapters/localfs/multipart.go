package localfs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Multipart is the Store with multipart uploads that behave like the
// object store's: parts are PUT by clients to URLs the Signer signs, which
// the service serves (PartURLPath) and hands to ReceivePart, and
// CompleteMultipart assembles them into the blob. Each upload is a
// directory of the temp area:
//
//	tmp/multipart/<upload id>/upload.json  the key and when it started
//	tmp/multipart/<upload id>/<n>.part      part n: its bytes, then their MD5 (16 bytes)
//
// Keeping each part's MD5 (its ETag) after its bytes makes a part one file,
// written to a temp name and renamed into place, so re-sending a part
// replaces it atomically.
type Multipart struct {
	*Store
	signer *Signer
}

var (
	_ application.BlobStore      = (*Multipart)(nil)
	_ application.MultipartStore = (*Multipart)(nil)
	_ application.PartReceiver   = (*Multipart)(nil)
)

// NewMultipart adds multipart uploads to s; signer signs and checks the
// part URLs.
func NewMultipart(s *Store, signer *Signer) *Multipart { return &Multipart{Store: s, signer: signer} }

const (
	multipartDir = "multipart"
	metaFile     = "upload.json"
	partSuffix   = ".part"
)

// uploadMeta is upload.json.
type uploadMeta struct {
	Key         string    `json:"key"`
	Initiated   time.Time `json:"initiated"`
	ContentType string    `json:"content_type,omitempty"`
}

func uploadDir(id string) string { return filepath.Join(tmpDir, multipartDir, id) }

// InitiateMultipart creates the upload's directory, refusing first a key
// this store cannot hold (see blobPath), which would fail only on
// completion.
func (m *Multipart) InitiateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if _, err := blobPath(key); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fsError("initiate multipart", key, err)
	}
	id := rand.Text()
	meta, err := json.Marshal(uploadMeta{Key: key, Initiated: time.Now().UTC(), ContentType: contentType})
	if err == nil {
		err = m.root.MkdirAll(filepath.Join(tmpDir, multipartDir), 0o700)
	}
	if err == nil {
		err = m.root.Mkdir(uploadDir(id), 0o700)
	}
	if err == nil {
		err = m.root.WriteFile(filepath.Join(uploadDir(id), metaFile), meta, 0o600)
	}
	if err != nil {
		_ = m.root.RemoveAll(uploadDir(id))
		return "", fsError("initiate multipart", key, err)
	}
	return id, nil
}

// meta loads upload id of key. An upload that does not exist, or is
// another key's, is domain.ErrNotFound. An id this package did not make is
// refused before it names a directory.
func (m *Multipart) meta(op, key, id string) (uploadMeta, error) {
	notFound := fmt.Errorf("localfs: %s %q: upload %q: %w", op, key, id, domain.ErrNotFound)
	if !validUploadID(id) {
		return uploadMeta{}, notFound
	}
	b, err := m.root.ReadFile(filepath.Join(uploadDir(id), metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return uploadMeta{}, notFound
	}
	if err != nil {
		return uploadMeta{}, fsError(op, key, err)
	}
	var meta uploadMeta
	if err := json.Unmarshal(b, &meta); err != nil || meta.Key != key {
		return uploadMeta{}, notFound
	}
	return meta, nil
}

// AbortMultipart removes the upload's directory, parts included.
func (m *Multipart) AbortMultipart(_ context.Context, key, id string) error {
	if _, err := m.meta("abort multipart", key, id); err != nil {
		return err
	}
	if err := m.root.RemoveAll(uploadDir(id)); err != nil {
		return fsError("abort multipart", key, err)
	}
	return nil
}

// PartURL signs a URL for part n of upload id (see PartURLPath).
func (m *Multipart) PartURL(_ context.Context, key, id string, part int, size int64, expiry time.Duration) (string, error) {
	return m.signer.signPart(partTicket{Key: key, Upload: id, Part: part, Size: size}, expiry)
}

// ListMultipart lists the uploads in progress. It reads every upload's
// upload.json: fine for development, which is all local disk is for.
func (m *Multipart) ListMultipart(ctx context.Context, prefix, afterKey, afterID string, limit int) ([]application.MultipartUpload, error) {
	d, err := m.root.Open(filepath.Join(tmpDir, multipartDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fsError("list multipart", prefix, err)
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return nil, fsError("list multipart", prefix, err)
	}
	var out []application.MultipartUpload
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, fsError("list multipart", prefix, err)
		}
		b, err := m.root.ReadFile(filepath.Join(uploadDir(e.Name()), metaFile))
		var meta uploadMeta
		if !validUploadID(e.Name()) || err != nil || json.Unmarshal(b, &meta) != nil {
			continue // gone meanwhile, or not an upload of this package
		}
		id := e.Name()
		after := afterKey == "" || meta.Key > afterKey || meta.Key == afterKey && id > afterID
		if strings.HasPrefix(meta.Key, prefix) && after {
			out = append(out, application.MultipartUpload{Key: meta.Key, StoreUploadID: id, Initiated: meta.Initiated})
		}
	}
	slices.SortFunc(out, func(a, b application.MultipartUpload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.StoreUploadID, b.StoreUploadID)
	})
	return out[:min(limit, len(out))], nil
}
