package blobstoretest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Memory is an application.BlobStore that keeps blobs in memory: the
// default test double for use cases that need a store. It passes Run.
// Like every adapter it leaves the argument contract to
// application.CheckedStore and returns bare domain kinds.
type Memory struct {
	mu    sync.RWMutex
	blobs map[string]memBlob
}

// memBlob is one stored blob; data is never modified once stored.
type memBlob struct {
	data    []byte
	modTime time.Time
}

var _ application.BlobStore = (*Memory)(nil)

// NewMemory returns an empty in-memory store, safe for concurrent use.
func NewMemory() *Memory {
	return &Memory{blobs: make(map[string]memBlob)}
}

// Put reads r completely before storing anything, so a failed or cancelled
// Put leaves the store as it was.
func (m *Memory) Put(ctx context.Context, key string, r io.Reader, _ string) (application.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return application.BlobInfo{}, fmt.Errorf("memory: put %q: %w: %w", key, domain.ErrUnavailable, err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return application.BlobInfo{}, fmt.Errorf("memory: put %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return application.BlobInfo{}, fmt.Errorf("memory: put %q: %w: %w", key, domain.ErrUnavailable, err)
	}
	b := memBlob{data: data, modTime: time.Now().UTC()}
	m.mu.Lock()
	m.blobs[key] = b
	m.mu.Unlock()
	return b.info(key), nil
}

// Open returns rng of key.
func (m *Memory) Open(_ context.Context, key string, rng application.Range) (io.ReadCloser, application.BlobInfo, error) {
	b, err := m.get(key)
	if err != nil {
		return nil, application.BlobInfo{}, err
	}
	off, n, err := rng.Resolve(int64(len(b.data)))
	if err != nil {
		return nil, application.BlobInfo{}, fmt.Errorf("memory: open %q: %w", key, err)
	}
	return io.NopCloser(bytes.NewReader(b.data[off : off+n])), b.info(key), nil
}

// Stat describes key.
func (m *Memory) Stat(_ context.Context, key string) (application.BlobInfo, error) {
	b, err := m.get(key)
	if err != nil {
		return application.BlobInfo{}, err
	}
	return b.info(key), nil
}

// Delete removes key; a missing key is not an error.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.blobs, key)
	m.mu.Unlock()
	return nil
}

// List returns up to limit blobs under prefix after startAfter, in byte order.
func (m *Memory) List(_ context.Context, prefix, startAfter string, limit int) ([]application.BlobInfo, error) {
	m.mu.RLock()
	var keys []string
	for k := range m.blobs {
		if strings.HasPrefix(k, prefix) && k > startAfter {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	keys = keys[:min(limit, len(keys))]
	list := make([]application.BlobInfo, 0, len(keys))
	for _, k := range keys {
		list = append(list, m.blobs[k].info(k))
	}
	m.mu.RUnlock()
	return list, nil
}

func (m *Memory) get(key string) (memBlob, error) {
	m.mu.RLock()
	b, ok := m.blobs[key]
	m.mu.RUnlock()
	if !ok {
		return memBlob{}, fmt.Errorf("memory: %q: %w", key, domain.ErrNotFound)
	}
	return b, nil
}

func (b memBlob) info(key string) application.BlobInfo {
	return application.BlobInfo{Key: key, Size: int64(len(b.data)), ModTime: b.modTime}
}
