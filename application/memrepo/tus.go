package memrepo

import (
	"context"
	"sort"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TusUploads is an in-memory application.TusUploads.
type TusUploads struct {
	mu   sync.Mutex
	rows map[string]domain.TusUploadData
}

var _ application.TusUploads = (*TusUploads)(nil)

// NewTusUploads returns an empty repository.
func NewTusUploads() *TusUploads { return &TusUploads{rows: map[string]domain.TusUploadData{}} }

func noTus() error { return domain.Errorf(domain.ErrNotFound, "not_found", "No such TUS upload.") }

// Create implements application.TusUploads.
func (r *TusUploads) Create(ctx context.Context, u *domain.TusUpload) (*domain.TusUpload, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := u.Data()
	if _, ok := r.rows[d.ID]; ok {
		return nil, domain.Errorf(domain.ErrExists, "already_exists", "A TUS upload with this id exists.")
	}
	d.Version = 1
	r.rows[d.ID] = d
	onRollback(ctx, func() { r.revert(d.ID, d, nil) })
	return domain.RehydrateTusUpload(d)
}

// Get implements application.TusUploads.
func (r *TusUploads) Get(_ context.Context, id string) (*domain.TusUpload, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.rows[id]
	if !ok {
		return nil, noTus()
	}
	return domain.RehydrateTusUpload(d)
}

// Update implements application.TusUploads: the mutable fields change.
func (r *TusUploads) Update(ctx context.Context, u *domain.TusUpload) (*domain.TusUpload, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := u.Data()
	cur, ok := r.rows[d.ID]
	if !ok {
		return nil, noTus()
	}
	if cur.Version != d.Version {
		return nil, conflict()
	}
	prev := cur
	cur.Offset, cur.Segments, cur.Completed = d.Offset, d.Segments, d.Completed
	cur.LockOwner, cur.LockUntil, cur.UpdatedAt = d.LockOwner, d.LockUntil, d.UpdatedAt
	cur.Version++
	r.rows[d.ID] = cur
	onRollback(ctx, func() { r.revert(d.ID, cur, &prev) })
	return domain.RehydrateTusUpload(cur)
}

// Delete implements application.TusUploads.
func (r *TusUploads) Delete(ctx context.Context, u *domain.TusUpload) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.rows[u.ID()]
	if !ok {
		return noTus()
	}
	if cur.Version != u.Version() {
		return conflict()
	}
	delete(r.rows, u.ID())
	onRollback(ctx, func() { r.revert(cur.ID, domain.TusUploadData{}, &cur) })
	return nil
}

func (r *TusUploads) revert(id string, wrote domain.TusUploadData, prev *domain.TusUploadData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.rows[id]
	if ok != (wrote.ID != "") || ok && cur.Version != wrote.Version {
		return
	}
	if prev == nil {
		delete(r.rows, id)
	} else {
		r.rows[id] = *prev
	}
}

// ListExpired implements application.TusUploads.
func (r *TusUploads) ListExpired(_ context.Context, before time.Time, afterID string, limit int) ([]*domain.TusUpload, error) {
	if before.IsZero() || limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs a time and a positive limit.")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for id, d := range r.rows {
		if !d.ExpiresAt.After(before) && id > afterID {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := make([]*domain.TusUpload, 0, min(limit, len(ids)))
	for _, id := range ids[:min(limit, len(ids))] {
		u, err := domain.RehydrateTusUpload(r.rows[id])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
