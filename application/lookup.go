package application

import (
	"context"
	"errors"

	"storagegw/domain"
)

// notFound is the one answer for a path the caller may not know about:
// missing, another org's, pending, deleted or purged alike.
func notFound() error { return domain.Errorf(domain.ErrNotFound, "not_found", "No such file.") }

// parseOwn parses a client-sent path and refuses, as not found, a path
// outside the caller's org. It records what it learnt in e.
func parseOwn(p domain.Principal, raw string, e *entry) (domain.StoragePath, error) {
	e.path = raw
	path, err := domain.ParseStoragePath(raw)
	if err != nil {
		return domain.StoragePath{}, err
	}
	if !path.BelongsTo(p.OrgID) {
		return domain.StoragePath{}, notFound()
	}
	e.forPath(path)
	return path, nil
}

// load returns the record at path in any state, mapping a missing record
// to the uniform not-found answer.
func (d *deps) load(ctx context.Context, path domain.StoragePath) (*domain.FileRecord, error) {
	rec, err := d.files.Get(ctx, path)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, notFound()
	}
	return rec, err
}

// loadVisible is load for files callers can see.
func (d *deps) loadVisible(ctx context.Context, path domain.StoragePath) (*domain.FileRecord, error) {
	rec, err := d.load(ctx, path)
	if err != nil {
		return nil, err
	}
	if !rec.Visible() {
		return nil, notFound()
	}
	return rec, nil
}
