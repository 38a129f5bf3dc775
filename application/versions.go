package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// FileVersions persists the previous contents of paths (domain.FileVersion),
// each keeping its blob. Every method runs inside the transaction ctx
// carries, if any (see Transactor): tx must span it with the files and the
// audit trail. Like the file repository it keeps the org's usage: Keep
// adds a version's usage (domain FileVersion.Usage) and Delete and
// DeleteAll take it off, in the write's transaction, and
// FileRepository.RecountUsage counts versions too. Every method returns
// domain.ErrUnavailable (wrapped) when the database cannot be reached.
type FileVersions interface {
	// Keep stores v. A version with the same id is domain.ErrExists.
	Keep(ctx context.Context, v domain.FileVersion) error

	// List returns path's versions, the most recently superseded first.
	List(ctx context.Context, path domain.StoragePath) ([]domain.FileVersion, error)

	// Get returns version id of path. None, or one of another path, is
	// domain.ErrNotFound (version_not_found).
	Get(ctx context.Context, path domain.StoragePath, id string) (domain.FileVersion, error)

	// Delete removes version v.ID of v.Path. None is domain.ErrNotFound
	// (version_not_found): a concurrent Delete took it.
	Delete(ctx context.Context, v domain.FileVersion) error

	// DeleteAll removes every version of path and returns them.
	DeleteAll(ctx context.Context, path domain.StoragePath) ([]domain.FileVersion, error)

	// ListDue returns up to q.Limit versions superseded strictly before
	// q.Before, in q.OrgID (every org when empty), whose id sorts after
	// q.AfterID, in ascending order of id. An empty Before or a Limit
	// below 1 is domain.ErrInvalid.
	ListDue(ctx context.Context, q VersionPurgeQuery) ([]domain.FileVersion, error)
}

// VersionPurgeQuery selects the versions FileVersions.ListDue returns.
type VersionPurgeQuery struct {
	Before  time.Time // superseded strictly before this instant; required
	OrgID   string    // empty: every org
	AfterID string    // resume after this version id; empty: from the first
	Limit   int
}

// VersionOptions configure file versions (Options.Versions).
type VersionOptions struct {
	// Unversioned lists the kinds whose overwrites keep no version
	// (STORAGEGW_UNVERSIONED_KINDS); every other kind is versioned.
	Unversioned map[domain.Kind]bool
	// Retention is how long a version is kept once superseded before the
	// retention purge removes it; 0 means Options.Retention (the
	// soft-delete retention).
	Retention time.Duration
}

// EnableVersions makes overwrites keep the replaced content as a version
// (of the kinds not listed in Options.Versions.Unversioned, and of every
// file under legal hold) and sets the use cases that list, read and
// restore versions. Without it an overwrite removes the replaced blob.
func (a *Application) EnableVersions(versions FileVersions) {
	d := a.SignURL.deps
	d.versions = versions
	a.ListVersions = &ListVersions{deps: d}
	a.RestoreVersion = &RestoreVersion{deps: d}
}

// versionRetention is how long superseded versions are kept.
func (d *deps) versionRetention() time.Duration {
	if r := d.opts.Versions.Retention; r > 0 {
		return r
	}
	return d.opts.Retention
}

// versionedKind reports whether an overwrite of path keeps the replaced
// content as a version by its kind's setting (the quota counts on it
// when the upload is reserved; keepReplaced decides at the commit).
func (d *deps) versionedKind(path domain.StoragePath) bool {
	return d.versions != nil && !d.opts.Versions.Unversioned[path.Kind()]
}

// keepReplaced is the one place an overwrite decides whether the content
// it replaces stays as a version (domain.KeepsPreviousVersion): it keeps
// it, in the transaction of ctx, and reports true, or leaves the blob to
// be removed after the commit. prev is the record as it was before the
// overwrite; a record without content replaces nothing. Without a version
// store held content has nowhere to go, so the overwrite of a held file is
// refused (legal_hold) rather than let it destroy the content.
func (d *deps) keepReplaced(ctx context.Context, prev *domain.FileRecord, e *entry) (bool, error) {
	if prev.State() != domain.StateActive {
		return false, nil
	}
	hold, err := HeldBy(ctx, d.holds, prev.Path())
	if err != nil {
		return false, err
	}
	if d.versions == nil {
		if hold != nil {
			e.metadata["legal_hold"] = hold.Scope().Relative()
			return false, hold.Refuse("overwritten")
		}
		return false, nil
	}
	if !domain.KeepsPreviousVersion(d.versionedKind(prev.Path()), hold != nil) {
		return false, nil
	}
	v, err := domain.NewFileVersion(newID(), prev, d.clock.Now())
	if err != nil {
		return false, err
	}
	if err := d.versions.Keep(ctx, v); err != nil {
		return false, err
	}
	e.metadata["kept_version_id"] = v.ID
	return true, nil
}

// ListVersionsQuery asks for the versions of one file.
type ListVersionsQuery struct {
	Caller   Caller
	FilePath string
}

// ListVersions lists a visible file's previous contents, for whoever may
// read the file.
type ListVersions struct {
	*deps
}

// Handle returns the versions of the file, the most recently superseded
// first, and audits VIEW with metadata {"versions": count}. A file that
// is not visible (missing, another org's, soft-deleted) is not found.
func (l *ListVersions) Handle(ctx context.Context, q ListVersionsQuery) ([]domain.FileVersion, error) {
	e := entry{action: domain.ActionView, metadata: map[string]any{"check": "versions"}}
	vs, err := l.run(ctx, q, &e)
	if err == nil {
		e.metadata["versions"] = len(vs)
	}
	if err := l.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return nil, err
	}
	return vs, nil
}

func (l *ListVersions) run(ctx context.Context, q ListVersionsQuery, e *entry) ([]domain.FileVersion, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermReadMetadata); err != nil {
		return nil, err
	}
	path, err := parseOwn(p, q.FilePath, e)
	if err != nil {
		return nil, err
	}
	if _, err := l.loadVisible(ctx, path); err != nil {
		return nil, err
	}
	return l.versions.List(ctx, path)
}

// RestoreVersionCommand asks to make a version the file's current content.
type RestoreVersionCommand struct {
	Caller    Caller
	FilePath  string
	VersionID string
}

// RestoreVersion makes a version of a visible file its current content
// again, for whoever may overwrite the file. It is an edit: one EDIT
// event with metadata {"restored_version_id"}, in the transaction that
// takes the version's row, keeps the content it replaces as a version
// (by the overwrite's rule, keepReplaced; "kept_version_id" names it) and
// saves the record. Usage does not move when the replaced content is
// kept: the version's bytes become the record's and the record's a
// version's. A soft-deleted file's versions are kept with it; the file
// is restored first (POST /api/storage/restore), then a version.
type RestoreVersion struct {
	*deps
}

// Admit refuses, before the request is read, a caller who may not
// overwrite.
func (r *RestoreVersion) Admit(ctx context.Context, c Caller) error {
	return r.admit(ctx, c, domain.ActionEdit, domain.PermOverwrite)
}

// Handle restores the version and returns the record as it now stands.
func (r *RestoreVersion) Handle(ctx context.Context, cmd RestoreVersionCommand) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionEdit, metadata: map[string]any{"restored_version_id": cmd.VersionID}}
	rec, err := r.run(ctx, cmd, &e)
	if err := r.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return rec, nil
}

func (r *RestoreVersion) run(ctx context.Context, cmd RestoreVersionCommand, e *entry) (*domain.FileRecord, error) {
	p := cmd.Caller.Principal
	if err := p.Authorize(domain.PermOverwrite); err != nil {
		return nil, err
	}
	path, err := parseOwn(p, cmd.FilePath, e)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckVersionID(cmd.VersionID); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		rec, err := r.load(ctx, path)
		if err != nil {
			return nil, err
		}
		if err := rec.CheckVersionsReadable(); err != nil {
			return nil, err
		}
		if err := rec.AuthorizeOverwrite(p); err != nil {
			return nil, err
		}
		prev, err := domain.RehydrateFileRecord(rec.Data())
		if err != nil {
			return nil, err
		}
		v, err := r.versions.Get(ctx, path, cmd.VersionID)
		if err != nil {
			return nil, err
		}
		replaced, err := rec.RestoreVersion(v, p.UserID, r.clock.Now())
		if err != nil {
			return nil, err
		}
		e.metadata["size_bytes"], e.metadata["sha256"] = v.Content.SizeBytes, v.Content.SHA256
		var saved *domain.FileRecord
		kept := false
		err = r.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) (err error) {
			if err := r.versions.Delete(ctx, v); err != nil {
				return err
			}
			if kept, err = r.keepReplaced(ctx, prev, e); err != nil {
				return err
			}
			// Usage only falls: the version's bytes become the record's,
			// and the record's a version's or nothing.
			saved, err = r.files.Update(ctx, rec)
			e.result = saved
			return err
		})
		if isConflict(err) && attempt < maxAttempts {
			delete(e.metadata, "kept_version_id")
			continue
		}
		if err != nil {
			return nil, err
		}
		if !kept {
			r.removeReplaced(ctx, replaced.BlobKey)
		}
		return saved, nil
	}
}

// versionContent returns the content of version id of the visible record
// rec, for a signed URL of it.
func (d *deps) versionContent(ctx context.Context, rec *domain.FileRecord, id string) (domain.Content, error) {
	if d.versions == nil {
		return domain.Content{}, domain.Errorf(domain.ErrNotFound, "version_not_found", "No such version of this file.")
	}
	if err := domain.CheckVersionID(id); err != nil {
		return domain.Content{}, err
	}
	v, err := d.versions.Get(ctx, rec.Path(), id)
	if err != nil {
		return domain.Content{}, err
	}
	return v.Content, nil
}

// versionByKey returns the version of path whose blob is key, for a URL
// signed for it, or false.
func (d *deps) versionByKey(ctx context.Context, path domain.StoragePath, key string) (domain.FileVersion, bool, error) {
	if d.versions == nil {
		return domain.FileVersion{}, false, nil
	}
	vs, err := d.versions.List(ctx, path)
	if err != nil {
		return domain.FileVersion{}, false, err
	}
	for _, v := range vs {
		if v.Content.BlobKey == key {
			return v, true, nil
		}
	}
	return domain.FileVersion{}, false, nil
}

// dropVersions removes, in the transaction of ctx, every version of path
// (a hard delete or a purge of the record) and returns their blob keys,
// to remove once the transaction committed.
func (d *deps) dropVersions(ctx context.Context, path domain.StoragePath) ([]string, error) {
	if d.versions == nil {
		return nil, nil
	}
	vs, err := d.versions.DeleteAll(ctx, path)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(vs))
	for _, v := range vs {
		keys = append(keys, v.Content.BlobKey)
	}
	return keys, nil
}
