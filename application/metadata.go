package application

import (
	"context"
	"errors"

	"storagegw/domain"
)

// MetadataQuery asks about one file of the caller's org.
type MetadataQuery struct {
	Caller   Caller
	FilePath string
}

// Metadata answers what is known about a file, or whether it exists.
type Metadata struct {
	*deps
}

// Handle returns the record of a visible file and audits VIEW. No record is
// returned unless its audit event was written.
func (m *Metadata) Handle(ctx context.Context, q MetadataQuery) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionView}
	rec, err := m.run(ctx, q, &e)
	if err == nil {
		err = m.showHolds(ctx, q.Caller.Principal.OrgID, rec) // the answer shows the hold
	}
	if err := m.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return nil, err
	}
	return rec, nil
}

// Exists reports whether a visible file is at the path. A path that is not
// the caller's, missing or deleted is false, not an error. It audits VIEW
// with metadata {"check": "exists"}.
func (m *Metadata) Exists(ctx context.Context, q MetadataQuery) (bool, error) {
	e := entry{action: domain.ActionView, metadata: map[string]any{"check": "exists"}}
	_, err := m.run(ctx, q, &e)
	if err := m.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (m *Metadata) run(ctx context.Context, q MetadataQuery, e *entry) (*domain.FileRecord, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermReadMetadata); err != nil {
		return nil, err
	}
	path, err := parseOwn(p, q.FilePath, e)
	if err != nil {
		return nil, err
	}
	return m.loadVisible(ctx, path)
}
