package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// RestoreCommand asks to undo the soft delete of one file.
type RestoreCommand struct {
	Caller   Caller
	FilePath string
}

// Restore undoes soft deletes within the retention window (admins only).
//
// A file soft-deleted longer than Options.Retention ago is due for the
// retention purge and can no longer be restored (404 retention_expired),
// so a purge never races a restore of the same file. The blob is checked
// before the record changes: a soft-deleted record whose blob is gone (a
// purge that crashed midway, or a damaged store) is not brought back
// pointing at nothing. The restored record commits in one transaction with
// the RESTORE event.
type Restore struct {
	*deps
}

// Handle restores the file and audits RESTORE. It returns the record as it
// now stands.
func (r *Restore) Handle(ctx context.Context, cmd RestoreCommand) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionRestore, metadata: map[string]any{}}
	rec, err := r.run(ctx, cmd, &e)
	if err := r.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return rec, nil
}

func (r *Restore) run(ctx context.Context, cmd RestoreCommand, e *entry) (*domain.FileRecord, error) {
	p := cmd.Caller.Principal
	if err := p.Authorize(domain.PermRestore); err != nil {
		return nil, err
	}
	path, err := parseOwn(p, cmd.FilePath, e)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		rec, err := r.load(ctx, path)
		if err != nil {
			return nil, err
		}
		now := r.clock.Now()
		if rec.DeletedLongerThan(r.opts.Retention, now) {
			return nil, domain.Errorf(domain.ErrNotFound, "retention_expired",
				"The file was deleted longer ago than the retention period (%s) and can no longer be restored.", r.opts.Retention)
		}
		deletedAt, deletedBy := rec.DeletedAt(), rec.DeletedBy()
		if err := rec.Restore(now); err != nil {
			return nil, err
		}
		if err := r.blobExists(ctx, rec); err != nil {
			return nil, err
		}
		e.metadata["deleted_at"] = deletedAt.UTC().Format(time.RFC3339Nano)
		e.metadata["deleted_by"] = deletedBy
		var saved *domain.FileRecord
		err = r.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) (err error) {
			saved, err = r.files.Update(ctx, rec)
			e.result = saved
			return err
		})
		if isConflict(err) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		return saved, nil
	}
}

// blobExists refuses, as not found, a record whose blob is missing; the
// inconsistency is reported for reconciliation.
func (r *Restore) blobExists(ctx context.Context, rec *domain.FileRecord) error {
	_, err := r.blobs.Stat(ctx, rec.Content().BlobKey)
	if errors.Is(err, domain.ErrNotFound) {
		r.report(ctx, "restore: blob missing", err)
		return domain.Errorf(domain.ErrNotFound, "content_missing",
			"The deleted file's content is gone; it cannot be restored.")
	}
	return err
}
