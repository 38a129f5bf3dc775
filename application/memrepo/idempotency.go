package memrepo

import (
	"context"
	"sort"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// IdempotencyKeys is an in-memory application.IdempotencyKeys. It keeps
// times at microsecond precision in UTC, as the database does.
type IdempotencyKeys struct {
	mu   sync.Mutex
	rows map[domain.IdempotencyScope]domain.IdempotencyRecordData
}

var _ application.IdempotencyKeys = (*IdempotencyKeys)(nil)

// NewIdempotencyKeys returns an empty key store.
func NewIdempotencyKeys() *IdempotencyKeys {
	return &IdempotencyKeys{rows: map[domain.IdempotencyScope]domain.IdempotencyRecordData{}}
}

func micro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func storedKey(d domain.IdempotencyRecordData) domain.IdempotencyRecordData {
	d.CreatedAt, d.LeaseUntil, d.ExpiresAt = micro(d.CreatedAt), micro(d.LeaseUntil), micro(d.ExpiresAt)
	if len(d.Answer.Body) == 0 {
		d.Answer.Body = nil
	} else {
		d.Answer.Body = append([]byte(nil), d.Answer.Body...)
	}
	return d
}

func noKey() error { return domain.Errorf(domain.ErrNotFound, "not_found", "No such idempotency key.") }

// Create implements application.IdempotencyKeys.
func (r *IdempotencyKeys) Create(_ context.Context, rec *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := storedKey(rec.Data())
	if _, ok := r.rows[d.Scope]; ok {
		return nil, domain.Errorf(domain.ErrExists, "already_exists", "This idempotency key exists.")
	}
	d.Version = 1
	r.rows[d.Scope] = d
	return domain.RehydrateIdempotencyRecord(d)
}

// Get implements application.IdempotencyKeys.
func (r *IdempotencyKeys) Get(_ context.Context, scope domain.IdempotencyScope) (*domain.IdempotencyRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.rows[scope]
	if !ok {
		return nil, noKey()
	}
	return domain.RehydrateIdempotencyRecord(d)
}

// Update implements application.IdempotencyKeys.
func (r *IdempotencyKeys) Update(_ context.Context, rec *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := storedKey(rec.Data())
	cur, ok := r.rows[d.Scope]
	switch {
	case !ok:
		return nil, noKey()
	case cur.Version != d.Version:
		return nil, conflict()
	}
	d.Version++
	r.rows[d.Scope] = d
	return domain.RehydrateIdempotencyRecord(d)
}

// Delete implements application.IdempotencyKeys.
func (r *IdempotencyKeys) Delete(_ context.Context, rec *domain.IdempotencyRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.rows[rec.Scope()]
	switch {
	case !ok:
		return noKey()
	case cur.Version != rec.Version():
		return conflict()
	}
	delete(r.rows, rec.Scope())
	return nil
}

// DeleteExpired implements application.IdempotencyKeys.
func (r *IdempotencyKeys) DeleteExpired(_ context.Context, before time.Time, limit int) (int, error) {
	if before.IsZero() || limit < 1 {
		return 0, domain.Errorf(domain.ErrInvalid, "invalid_query", "A clean-up needs a time and a positive limit.")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var due []domain.IdempotencyRecordData
	for _, d := range r.rows {
		if !d.ExpiresAt.After(before) && (d.State == domain.IdempotencyCompleted || !d.LeaseUntil.After(before)) {
			due = append(due, d)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].ExpiresAt.Before(due[j].ExpiresAt) })
	if len(due) > limit {
		due = due[:limit]
	}
	for _, d := range due {
		delete(r.rows, d.Scope)
	}
	return len(due), nil
}
