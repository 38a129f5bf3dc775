package domain

import "time"

// KeepsPreviousVersion is the one rule that decides whether an overwrite keeps
// the content it replaces as a version of the path: it does when the file's kind
// is versioned (the default; an operator may list unversioned kinds) and always
// when the file is under legal hold, whatever its kind's setting, so held
// content is never lost to an overwrite. Callers pass what they know; the
// overwrite use cases call it in one place.
func KeepsPreviousVersion(kindVersioned, held bool) bool {
	return kindVersioned || held
}

// FileVersion is a previous content of a path, kept when an overwrite (or
// the restore of another version) replaced it. Its blob stays in the store
// under the key the content was committed with, so the version can be read
// (a signed URL), made the current content again (a restore) or purged
// once older than the version retention.
type FileVersion struct {
	ID         string
	Path       StoragePath
	Content    Content
	UploadedBy string
	// CreatedAt is when the content was committed (as the record last
	// changed before it was replaced); SupersededAt is when it stopped
	// being the current content, from which its retention counts.
	CreatedAt    time.Time
	SupersededAt time.Time
}

// NewFileVersion is the version that keeps rec's current content, which is
// being replaced at now. A record without content (pending or purged) has
// nothing to keep: ErrNotFound.
func NewFileVersion(id string, rec *FileRecord, now time.Time) (FileVersion, error) {
	if id == "" {
		return FileVersion{}, Errorf(ErrInvalid, "invalid_version", "A version needs an id.")
	}
	if rec.d.State != StateActive || rec.d.Content.BlobKey == "" {
		return FileVersion{}, Errorf(ErrNotFound, "not_found", "No such file.")
	}
	return FileVersion{ID: id, Path: rec.d.Path, Content: rec.d.Content, UploadedBy: rec.d.UploadedBy,
		CreatedAt: rec.d.UpdatedAt.UTC(), SupersededAt: now.UTC()}, nil
}

// Usage is what a version counts for in its org's usage: its size and one
// file, like the record it was the content of. Versions count against the
// quota.
func (v FileVersion) Usage() Usage { return Usage{Bytes: v.Content.SizeBytes, Files: 1} }

// SupersededLongerThan reports whether v was replaced more than retention
// before now: it is then due for the retention purge.
func (v FileVersion) SupersededLongerThan(retention time.Duration, now time.Time) bool {
	return now.Sub(v.SupersededAt) > retention
}

// CheckVersionsReadable refuses a record whose versions cannot be reached:
// a soft-deleted file (ErrNotFound file_deleted: restore the file first)
// or one that is not visible (ErrNotFound not_found).
func (r *FileRecord) CheckVersionsReadable() error {
	switch {
	case r.d.State == StateActive && r.d.Deleted:
		return Errorf(ErrNotFound, "file_deleted",
			"The file is deleted; restore the file first (POST /api/storage/restore), then its version.")
	case !r.Visible():
		return Errorf(ErrNotFound, "not_found", "No such file.")
	}
	return nil
}

// RestoreVersion makes v the record's current content again, as an edit by
// by at now, and returns the content it replaces (which the caller keeps
// as a version, or removes). Only a visible file can have a version
// restored: a soft-deleted one is restored first (ErrNotFound
// file_deleted otherwise), and v must be a version of the record's path.
func (r *FileRecord) RestoreVersion(v FileVersion, by string, now time.Time) (replaced Content, err error) {
	if err := r.CheckVersionsReadable(); err != nil {
		return Content{}, err
	}
	switch {
	case v.Path != r.d.Path || v.Content.BlobKey == "":
		return Content{}, Errorf(ErrNotFound, "version_not_found", "No such version of this file.")
	case by == "":
		return Content{}, Errorf(ErrInvalid, "invalid_actor", "A restore needs an actor.")
	}
	replaced = r.d.Content
	r.d.Content = v.Content
	r.d.UploadedBy = v.UploadedBy
	r.d.UpdatedAt = now.UTC()
	return replaced, nil
}

// CheckVersionID checks a version id named by a caller: a missing one is
// ErrInvalid; one that cannot be an id is no version (ErrNotFound).
func CheckVersionID(id string) error {
	if id == "" {
		return Errorf(ErrInvalid, "missing_version_id", "Name the version with version_id (from the file's list of versions).")
	}
	if len(id) > 64 || CheckText("version_id", id) != nil {
		return Errorf(ErrNotFound, "version_not_found", "No such version of this file.")
	}
	return nil
}
