// Package memrepo provides in-memory FileRepository, UploadSessions, IdempotencyKeys and
// AuditLog fakes for use-case tests. They pass the same conformance suite as the database
// adapters, so they cannot drift from them.
package memrepo

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Files is an in-memory application.FileRepository.
type Files struct {
	mu   sync.Mutex
	rows map[string]domain.FileRecordData
	held map[string]bool // ids of records a ClaimPurgeBatch holds
	// versions are the rows of NewVersions(f), by id.
	versions map[string]domain.FileVersion
}

var _ application.FileRepository = (*Files)(nil)

// NewFiles returns an empty repository.
func NewFiles() *Files {
	return &Files{rows: map[string]domain.FileRecordData{}, held: map[string]bool{}, versions: map[string]domain.FileVersion{}}
}

func conflict() error {
	return domain.Errorf(domain.ErrExists, domain.CodeConcurrentUpdate, "The record changed concurrently; try again.")
}

func notFound() error { return domain.Errorf(domain.ErrNotFound, "not_found", "No such file.") }

// Create implements application.FileRepository.
func (f *Files) Create(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := rec.Data()
	key := d.Path.String()
	if _, ok := f.rows[key]; ok {
		return nil, domain.Errorf(domain.ErrExists, "file_exists", "A record exists at this path.")
	}
	for _, other := range f.rows {
		if other.ID == d.ID {
			return nil, domain.Errorf(domain.ErrExists, "record_exists", "A record with this id exists.")
		}
	}
	d.Version = 1
	f.rows[key] = d
	onRollback(ctx, func() { f.revert(key, d, nil) })
	return domain.RehydrateFileRecord(d)
}

// Get implements application.FileRepository.
func (f *Files) Get(_ context.Context, path domain.StoragePath) (*domain.FileRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.rows[path.String()]
	if !ok {
		return nil, notFound()
	}
	return domain.RehydrateFileRecord(d)
}

// Update implements application.FileRepository.
func (f *Files) Update(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := rec.Data()
	key := d.Path.String()
	cur, ok := f.rows[key]
	if !ok {
		return nil, notFound()
	}
	if cur.Version != d.Version || cur.ID != d.ID {
		return nil, conflict()
	}
	d.Version++
	f.rows[key] = d
	onRollback(ctx, func() { f.revert(key, d, &cur) })
	return domain.RehydrateFileRecord(d)
}

// Delete implements application.FileRepository.
func (f *Files) Delete(ctx context.Context, rec *domain.FileRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := rec.Path().String()
	cur, ok := f.rows[key]
	if !ok {
		return notFound()
	}
	if cur.Version != rec.Version() || cur.ID != rec.ID() {
		return conflict()
	}
	delete(f.rows, key)
	onRollback(ctx, func() { f.revert(key, domain.FileRecordData{}, &cur) })
	return nil
}

// revert undoes a change of a transaction that failed: the row at key goes
// back to prev (nil: no row), provided it is still as the change left it
// (wrote, or no row when the change deleted it).
func (f *Files) revert(key string, wrote domain.FileRecordData, prev *domain.FileRecordData) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.rows[key]
	if ok != (wrote.ID != "") || ok && (cur.ID != wrote.ID || cur.Version != wrote.Version) {
		return // changed since, outside the transaction
	}
	if prev == nil {
		delete(f.rows, key)
	} else {
		f.rows[key] = *prev
	}
}

// List implements application.FileRepository.
func (f *Files) List(_ context.Context, q application.ListQuery) ([]*domain.FileRecord, error) {
	if q.OrgID == "" || q.Limit <= 0 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs an org and a positive limit.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k, d := range f.rows {
		visible := d.State == domain.StateActive && !d.Deleted
		if d.Path.OrgID() == q.OrgID && strings.HasPrefix(k, q.Prefix) && k > q.After &&
			(visible || q.IncludeDeleted) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if q.Limit > 0 && len(keys) > q.Limit {
		keys = keys[:q.Limit]
	}
	out := make([]*domain.FileRecord, 0, len(keys))
	for _, k := range keys {
		r, err := domain.RehydrateFileRecord(f.rows[k])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Len counts stored records in every state (a test helper).
func (f *Files) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rows)
}

// ListLapsed implements application.FileRepository.
func (f *Files) ListLapsed(_ context.Context, before time.Time, afterID string, limit int) ([]*domain.FileRecord, error) {
	if before.IsZero() || limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs a time and a positive limit.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*domain.FileRecord
	for _, d := range f.rows {
		rec, err := domain.RehydrateFileRecord(d)
		if err != nil {
			return nil, err
		}
		if d.ID > afterID && rec.LeaseLapsed(before) {
			out = append(out, rec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out[:min(limit, len(out))], nil
}
