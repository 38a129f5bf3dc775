package memrepo

import (
	"context"
	"sort"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Sessions is an in-memory application.UploadSessions.
type Sessions struct {
	mu   sync.Mutex
	rows map[string]domain.UploadSessionData
}

var _ application.UploadSessions = (*Sessions)(nil)

// NewSessions returns an empty repository.
func NewSessions() *Sessions { return &Sessions{rows: map[string]domain.UploadSessionData{}} }

func noSession() error {
	return domain.Errorf(domain.ErrNotFound, "not_found", "No such upload session.")
}

// Create implements application.UploadSessions.
func (r *Sessions) Create(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := s.Data()
	for _, other := range r.rows {
		if other.ID == d.ID || other.UploadID == d.UploadID {
			return nil, domain.Errorf(domain.ErrExists, "already_exists", "A session with this id exists.")
		}
	}
	d.Version = 1
	r.rows[d.ID] = d
	onRollback(ctx, func() { r.revert(d.ID, d, nil) })
	return domain.RehydrateUploadSession(d)
}

// Get implements application.UploadSessions.
func (r *Sessions) Get(_ context.Context, id string) (*domain.UploadSession, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.rows[id]
	if !ok {
		return nil, noSession()
	}
	return domain.RehydrateUploadSession(d)
}

// Update implements application.UploadSessions: only the state and the
// updated time change.
func (r *Sessions) Update(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := s.Data()
	cur, ok := r.rows[d.ID]
	if !ok {
		return nil, noSession()
	}
	if cur.Version != d.Version {
		return nil, conflict()
	}
	prev := cur
	cur.State, cur.UpdatedAt, cur.ClaimedUntil = d.State, d.UpdatedAt, d.ClaimedUntil
	cur.Version++
	r.rows[d.ID] = cur
	onRollback(ctx, func() { r.revert(d.ID, cur, &prev) })
	return domain.RehydrateUploadSession(cur)
}

// Delete implements application.UploadSessions.
func (r *Sessions) Delete(ctx context.Context, s *domain.UploadSession) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.rows[s.ID()]
	if !ok {
		return noSession()
	}
	if cur.Version != s.Version() {
		return conflict()
	}
	delete(r.rows, s.ID())
	onRollback(ctx, func() { r.revert(cur.ID, domain.UploadSessionData{}, &cur) })
	return nil
}

// revert undoes a change of a transaction that failed, as Files.revert.
func (r *Sessions) revert(id string, wrote domain.UploadSessionData, prev *domain.UploadSessionData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.rows[id]
	if ok != (wrote.ID != "") || ok && cur.Version != wrote.Version {
		return // changed since, outside the transaction
	}
	if prev == nil {
		delete(r.rows, id)
	} else {
		r.rows[id] = *prev
	}
}

// ListExpired implements application.UploadSessions.
func (r *Sessions) ListExpired(_ context.Context, before time.Time, afterID string, limit int) ([]*domain.UploadSession, error) {
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
	out := make([]*domain.UploadSession, 0, min(limit, len(ids)))
	for _, id := range ids[:min(limit, len(ids))] {
		s, err := domain.RehydrateUploadSession(r.rows[id])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
