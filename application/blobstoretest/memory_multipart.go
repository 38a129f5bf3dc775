package blobstoretest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// MemoryMultipart is a Memory that also takes multipart uploads
// (application.MultipartStore) and receives their parts itself
// (application.PartReceiver): the default double for the multipart use
// cases. It passes multiparttest.Run.
type MemoryMultipart struct {
	*Memory
	key     []byte
	now     func() time.Time // when uploads start and part URLs expire
	mu      sync.Mutex
	uploads map[string]*memUpload
}

type memUpload struct {
	key       string
	initiated time.Time
	parts     map[int][]byte
}

var (
	_ application.MultipartStore = (*MemoryMultipart)(nil)
	_ application.PartReceiver   = (*MemoryMultipart)(nil)
)

// PartURLBase is where MemoryMultipart's part URLs point; nothing serves
// it: pass a URL's query to ReceivePart.
const PartURLBase = "http://memory.invalid/part"

// NewMemoryMultipart returns an empty store on clock (nil: the system
// clock), which dates uploads and expires part URLs.
func NewMemoryMultipart(clock application.Clock) *MemoryMultipart {
	if clock == nil {
		clock = application.SystemClock{}
	}
	return &MemoryMultipart{Memory: NewMemory(), key: []byte(rand.Text()), now: clock.Now,
		uploads: map[string]*memUpload{}}
}

// InitiateMultipart starts an upload to key.
func (m *MemoryMultipart) InitiateMultipart(_ context.Context, key, _ string) (string, error) {
	id := strings.ToLower(rand.Text())
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uploads[id] = &memUpload{key: key, initiated: m.now().UTC(), parts: map[int][]byte{}}
	return id, nil
}

// PartURL signs a URL for part.
func (m *MemoryMultipart) PartURL(_ context.Context, key, id string, part int, size int64, expiry time.Duration) (string, error) {
	q := url.Values{"key": {key}, "upload": {id}, "part": {strconv.Itoa(part)},
		"size": {strconv.FormatInt(size, 10)}, "exp": {strconv.FormatInt(m.now().Add(expiry).UnixMilli(), 10)}}
	q.Set("sig", m.sign(q))
	return PartURLBase + "?" + q.Encode(), nil
}

func (m *MemoryMultipart) sign(q url.Values) string {
	h := hmac.New(sha256.New, m.key)
	for _, f := range []string{"key", "upload", "part", "size", "exp"} {
		fmt.Fprintf(h, "%d:%s\n", len(q.Get(f)), q.Get(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ReceivePart checks a part URL's query and stores body as that part.
func (m *MemoryMultipart) ReceivePart(_ context.Context, q url.Values, body io.Reader) (string, error) {
	if !hmac.Equal([]byte(q.Get("sig")), []byte(m.sign(q))) {
		return "", domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	}
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	if m.now().UnixMilli() >= exp {
		return "", domain.Errorf(domain.ErrForbidden, "url_expired", "The link has expired.")
	}
	part, _ := strconv.Atoi(q.Get("part"))
	size, _ := strconv.ParseInt(q.Get("size"), 10, 64)
	data, err := io.ReadAll(io.LimitReader(body, size+1))
	if err != nil {
		return "", fmt.Errorf("memory: receive part: %w", err)
	}
	if int64(len(data)) > size {
		return "", domain.Errorf(domain.ErrTooLarge, "part_too_large", "The part is larger than the %s it must hold.", domain.FormatSize(size))
	}
	if int64(len(data)) < size {
		return "", domain.Errorf(domain.ErrInvalid, "part_size_mismatch", "The part must hold %d bytes.", size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	up, err := m.upload(q.Get("key"), q.Get("upload"))
	if err != nil {
		return "", err
	}
	up.parts[part] = data
	return etagOf(data), nil
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// upload returns the upload id of key; m.mu is held.
func (m *MemoryMultipart) upload(key, id string) (*memUpload, error) {
	up, ok := m.uploads[id]
	if !ok || up.key != key {
		return nil, fmt.Errorf("memory: upload %q of %q: %w", id, key, domain.ErrNotFound)
	}
	return up, nil
}

// ListParts lists the parts of an upload.
func (m *MemoryMultipart) ListParts(_ context.Context, key, id string) ([]domain.StoredPart, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	up, err := m.upload(key, id)
	if err != nil {
		return nil, err
	}
	out := make([]domain.StoredPart, 0, len(up.parts))
	for n, data := range up.parts {
		out = append(out, domain.StoredPart{Number: n, ETag: etagOf(data), Size: int64(len(data))})
	}
	slices.SortFunc(out, func(a, b domain.StoredPart) int { return a.Number - b.Number })
	return out, nil
}

// CompleteMultipart assembles parts into key, checking them against the
// parts received (the checked store has checked the list's order).
func (m *MemoryMultipart) CompleteMultipart(ctx context.Context, key, id string, parts []domain.PartRef) (application.BlobInfo, error) {
	m.mu.Lock()
	up, err := m.upload(key, id)
	var buf bytes.Buffer
	for i, p := range parts {
		if err != nil {
			break
		}
		data, ok := up.parts[p.Number]
		switch {
		case !ok || domain.NormalizeETag(p.ETag) != domain.NormalizeETag(etagOf(data)):
			err = domain.Errorf(domain.ErrInvalid, "invalid_part", "Part %d was not uploaded with that ETag.", p.Number)
		case i < len(parts)-1 && len(data) < domain.MinPartBytes:
			err = domain.Errorf(domain.ErrInvalid, "part_too_small", "Part %d is smaller than the minimum.", p.Number)
		}
		buf.Write(data)
	}
	if err == nil {
		delete(m.uploads, id)
	}
	m.mu.Unlock()
	if err != nil {
		return application.BlobInfo{}, err
	}
	return m.Put(ctx, key, &buf, "")
}

// AbortMultipart discards an upload.
func (m *MemoryMultipart) AbortMultipart(_ context.Context, key, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.upload(key, id); err != nil {
		return err
	}
	delete(m.uploads, id)
	return nil
}

// ListMultipart lists uploads in progress by (key, id).
func (m *MemoryMultipart) ListMultipart(_ context.Context, prefix, afterKey, afterID string, limit int) ([]application.MultipartUpload, error) {
	m.mu.Lock()
	var out []application.MultipartUpload
	for id, up := range m.uploads {
		after := afterKey == "" || up.key > afterKey || up.key == afterKey && id > afterID
		if strings.HasPrefix(up.key, prefix) && after {
			out = append(out, application.MultipartUpload{Key: up.key, StoreUploadID: id, Initiated: up.initiated})
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b application.MultipartUpload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.StoreUploadID, b.StoreUploadID)
	})
	return out[:min(limit, len(out))], nil
}

var _ application.PartWriter = (*MemoryMultipart)(nil)

// WritePart stores exactly size bytes of r as part n of the upload.
func (m *MemoryMultipart) WritePart(_ context.Context, key, id string, n int, r io.Reader, size int64) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, size))
	if err != nil {
		return "", fmt.Errorf("memory: write part: %w", err)
	}
	if int64(len(data)) < size {
		return "", domain.Errorf(domain.ErrInvalid, "part_size_mismatch", "The part holds %d bytes; it must hold %d.", len(data), size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	up, err := m.upload(key, id)
	if err != nil {
		return "", err
	}
	up.parts[n] = data
	return etagOf(data), nil
}
