package memrepo

import (
	"context"
	"errors"
	"sort"

	"storagegw/application"
	"storagegw/domain"
)

// ListOrgs implements application.FileRepository.
func (f *Files) ListOrgs(_ context.Context, after string, limit int) ([]string, error) {
	if limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs a positive limit.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]bool{}
	var orgs []string
	for _, d := range f.rows {
		if org := d.Path.OrgID(); org > after && !seen[org] {
			seen[org] = true
			orgs = append(orgs, org)
		}
	}
	sort.Strings(orgs)
	if len(orgs) > limit {
		orgs = orgs[:limit]
	}
	return orgs, nil
}

// ClaimPurgeBatch implements application.FileRepository. Held records are
// skipped by other claims, like PostgreSQL's SKIP LOCKED; unlike
// PostgreSQL, Update does not wait for them (the optimistic rule still
// keeps a concurrent change from being overwritten).
func (f *Files) ClaimPurgeBatch(ctx context.Context, q application.PurgeBatchQuery, work application.PurgeWork) ([]*domain.FileRecord, error) {
	if q.Before.IsZero() || q.Limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A purge batch needs a cutoff and a positive limit.")
	}
	due, err := f.claim(q)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	defer f.release(due)
	save, err := work(ctx, due)
	if err != nil {
		return nil, err
	}
	var saved []*domain.FileRecord
	for _, rec := range save {
		got, err := f.Update(ctx, rec)
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.CodeConcurrentUpdate || errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return saved, err
		}
		saved = append(saved, got)
	}
	return saved, nil
}

// claim selects and holds the due records of q.
func (f *Files) claim(q application.PurgeBatchQuery) ([]*domain.FileRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	byID := map[string]domain.FileRecordData{}
	for _, d := range f.rows {
		if d.State == domain.StateActive && d.Deleted && d.DeletedAt.Before(q.Before) && d.ID > q.AfterID &&
			(q.OrgID == "" || d.Path.OrgID() == q.OrgID) && !f.held[d.ID] {
			ids = append(ids, d.ID)
			byID[d.ID] = d
		}
	}
	sort.Strings(ids)
	if len(ids) > q.Limit {
		ids = ids[:q.Limit]
	}
	out := make([]*domain.FileRecord, 0, len(ids))
	for _, id := range ids {
		rec, err := domain.RehydrateFileRecord(byID[id])
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	for _, id := range ids {
		f.held[id] = true
	}
	return out, nil
}

func (f *Files) release(recs []*domain.FileRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		delete(f.held, r.ID())
	}
}
