package memrepo

import (
	"context"
	"sort"

	"storagegw/application"
	"storagegw/domain"
)

// Versions is an in-memory application.FileVersions kept beside the rows
// of a Files, under its lock, so the fake's usage (a count of its rows)
// counts versions as the port asks.
type Versions struct {
	f *Files
}

var _ application.FileVersions = (*Versions)(nil)

// NewVersions returns the version store kept with files.
func NewVersions(files *Files) *Versions { return &Versions{f: files} }

func noVersion() error {
	return domain.Errorf(domain.ErrNotFound, "version_not_found", "No such version of this file.")
}

// stored is v as a database keeps it: times in UTC to the microsecond.
func storedVersion(v domain.FileVersion) domain.FileVersion {
	v.CreatedAt, v.SupersededAt = micro(v.CreatedAt), micro(v.SupersededAt)
	return v
}

// Keep implements application.FileVersions.
func (r *Versions) Keep(ctx context.Context, v domain.FileVersion) error {
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if v.ID == "" || v.Path.IsZero() || v.Content.BlobKey == "" {
		return domain.Errorf(domain.ErrInvalid, "invalid_version", "A version needs an id, a path and a blob.")
	}
	if _, ok := f.versions[v.ID]; ok {
		return domain.Errorf(domain.ErrExists, "version_exists", "A version with this id exists.")
	}
	f.versions[v.ID] = storedVersion(v)
	onRollback(ctx, func() { f.mu.Lock(); delete(f.versions, v.ID); f.mu.Unlock() })
	return nil
}

// List implements application.FileVersions.
func (r *Versions) List(_ context.Context, path domain.StoragePath) ([]domain.FileVersion, error) {
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.FileVersion
	for _, v := range f.versions {
		if v.Path == path {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.SupersededAt.Equal(b.SupersededAt) {
			return a.SupersededAt.After(b.SupersededAt)
		}
		return a.ID > b.ID
	})
	return out, nil
}

// Get implements application.FileVersions.
func (r *Versions) Get(_ context.Context, path domain.StoragePath, id string) (domain.FileVersion, error) {
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.versions[id]
	if !ok || v.Path != path {
		return domain.FileVersion{}, noVersion()
	}
	return v, nil
}

// Delete implements application.FileVersions.
func (r *Versions) Delete(ctx context.Context, v domain.FileVersion) error {
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.versions[v.ID]
	if !ok || cur.Path != v.Path {
		return noVersion()
	}
	delete(f.versions, v.ID)
	onRollback(ctx, func() { f.mu.Lock(); f.versions[cur.ID] = cur; f.mu.Unlock() })
	return nil
}

// DeleteAll implements application.FileVersions.
func (r *Versions) DeleteAll(ctx context.Context, path domain.StoragePath) ([]domain.FileVersion, error) {
	vs, err := r.List(ctx, path)
	if err != nil {
		return nil, err
	}
	var out []domain.FileVersion
	for _, v := range vs {
		if err := r.Delete(ctx, v); err == nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// ListDue implements application.FileVersions.
func (r *Versions) ListDue(_ context.Context, q application.VersionPurgeQuery) ([]domain.FileVersion, error) {
	if q.Before.IsZero() || q.Limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A purge query needs a time and a positive limit.")
	}
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.FileVersion
	for _, v := range f.versions {
		if v.SupersededAt.Before(q.Before) && v.ID > q.AfterID && (q.OrgID == "" || v.Path.OrgID() == q.OrgID) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// versionUsage adds what f's versions of org (every org when empty) count
// to add, by system and object type. f.mu must be held.
func (f *Files) versionUsage(org string, add func(p domain.StoragePath, u domain.Usage)) {
	for _, v := range f.versions {
		if org == "" || v.Path.OrgID() == org {
			add(v.Path, v.Usage())
		}
	}
}
