package memrepo

import (
	"context"
	"sort"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Links is an in-memory application.Links. It keeps times at microsecond
// precision in UTC, as the database does.
type Links struct {
	mu   sync.Mutex
	rows map[string]domain.LinkData
}

var _ application.Links = (*Links)(nil)

// NewLinks returns an empty link store.
func NewLinks() *Links { return &Links{rows: map[string]domain.LinkData{}} }

func noLink() error { return domain.Errorf(domain.ErrNotFound, "link_not_found", "No such link.") }

// Create implements application.Links.
func (r *Links) Create(ctx context.Context, l *domain.Link) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := l.Data()
	if _, ok := r.rows[d.ID]; ok {
		return domain.Errorf(domain.ErrExists, "already_exists", "A link with this id exists.")
	}
	d.CreatedAt, d.ExpiresAt, d.RevokedAt = micro(d.CreatedAt), micro(d.ExpiresAt), micro(d.RevokedAt)
	r.rows[d.ID] = d
	onRollback(ctx, func() { r.mu.Lock(); delete(r.rows, d.ID); r.mu.Unlock() })
	return nil
}

// Get implements application.Links.
func (r *Links) Get(_ context.Context, id string) (*domain.Link, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.rows[id]
	if !ok {
		return nil, noLink()
	}
	return domain.RehydrateLink(d), nil
}

// change applies fn to link id under the lock, keeping the change unless
// fn fails, and undoes it if ctx's transaction rolls back.
func (r *Links) change(ctx context.Context, id string, fn func(l *domain.Link) error) (*domain.Link, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	before, ok := r.rows[id]
	if !ok {
		return nil, noLink()
	}
	l := domain.RehydrateLink(before)
	if err := fn(l); err != nil {
		return domain.RehydrateLink(before), err
	}
	after := l.Data()
	after.RevokedAt = micro(after.RevokedAt)
	r.rows[id] = after
	onRollback(ctx, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.rows[id] == after {
			r.rows[id] = before
		}
	})
	return domain.RehydrateLink(after), nil
}

// Use implements application.Links.
func (r *Links) Use(ctx context.Context, id string, now time.Time) (*domain.Link, error) {
	return r.change(ctx, id, func(l *domain.Link) error { return l.Use(now) })
}

// Revoke implements application.Links.
func (r *Links) Revoke(ctx context.Context, id, by string, now time.Time) (*domain.Link, error) {
	return r.change(ctx, id, func(l *domain.Link) error { l.Revoke(by, now); return nil })
}

// RevokeFile implements application.Links.
func (r *Links) RevokeFile(ctx context.Context, orgID, filePath, by string, now time.Time) (int, error) {
	r.mu.Lock()
	var ids []string
	for id, d := range r.rows {
		if d.OrgID == orgID && d.FilePath == filePath && d.RevokedAt.IsZero() {
			ids = append(ids, id)
		}
	}
	r.mu.Unlock()
	n := 0
	for _, id := range ids {
		l, err := r.change(ctx, id, func(l *domain.Link) error {
			if l.Revoked() {
				return errAlreadyRevoked
			}
			l.Revoke(by, now)
			return nil
		})
		if err == errAlreadyRevoked {
			continue
		}
		if err != nil {
			return n, err
		}
		_ = l
		n++
	}
	return n, nil
}

// DeleteExpired implements application.Links.
func (r *Links) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if before.IsZero() || limit < 1 {
		return 0, domain.Errorf(domain.ErrInvalid, "invalid_query", "A clean-up needs a time and a positive limit.")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var due []domain.LinkData
	for _, d := range r.rows {
		if !d.ExpiresAt.After(before) {
			due = append(due, d)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].ExpiresAt.Before(due[j].ExpiresAt) })
	if len(due) > limit {
		due = due[:limit]
	}
	for _, d := range due {
		delete(r.rows, d.ID)
		onRollback(ctx, func() { r.mu.Lock(); r.rows[d.ID] = d; r.mu.Unlock() })
	}
	return len(due), nil
}

var errAlreadyRevoked = domain.Errorf(domain.ErrExists, "already_revoked", "revoked concurrently")

// OfFile implements application.Links.
func (r *Links) OfFile(_ context.Context, q application.LinkQuery) ([]*domain.Link, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var rows []domain.LinkData
	for _, d := range r.rows {
		if d.OrgID == q.OrgID && d.FilePath == q.FilePath &&
			(q.After.ID == "" || linkBefore(q.After, d)) {
			rows = append(rows, d)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		return linkBefore(application.LinkPosition{CreatedAt: rows[i].CreatedAt, ID: rows[i].ID}, rows[j])
	})
	if q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	out := make([]*domain.Link, len(rows))
	for i, d := range rows {
		out[i] = domain.RehydrateLink(d)
	}
	return out, nil
}

// linkBefore reports whether pos comes before d in a file's listing.
func linkBefore(pos application.LinkPosition, d domain.LinkData) bool {
	if !pos.CreatedAt.Equal(d.CreatedAt) {
		return pos.CreatedAt.Before(d.CreatedAt)
	}
	return pos.ID < d.ID
}
