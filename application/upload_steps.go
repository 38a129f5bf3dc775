package application

import (
	"context"
	"errors"

	"storagegw/domain"
)

// maxAttempts bounds the retries of optimistic updates that lost a race.
const maxAttempts = 3

// reserve claims path for uploadID: a new pending record, or the existing
// record's reservation when the rules allow (see FileRecord.BeginUpload).
// It uses cmd's caller, filename and overwrite flag, and turns e into an
// EDIT when the upload would replace a file. Upload and the multipart
// uploads share it, and commit and abandon.
func (d *deps) reserve(ctx context.Context, path domain.StoragePath, cmd UploadCommand, uploadID string, e *entry) (*domain.FileRecord, error) {
	by := cmd.Caller.Principal.UserID
	for attempt := 0; ; attempt++ {
		now := d.clock.Now()
		fresh, err := domain.NewPendingRecord(newID(), path, cmd.Filename, by, uploadID, now)
		if err != nil {
			return nil, err
		}
		rec, err := d.files.Create(ctx, fresh)
		if err == nil || !errors.Is(err, domain.ErrExists) {
			return rec, err
		}
		existing, err := d.files.Get(ctx, path)
		if errors.Is(err, domain.ErrNotFound) && attempt < maxAttempts {
			continue // removed since our insert failed: try again
		}
		if err != nil {
			return nil, err
		}
		if existing.WouldOverwrite() {
			e.action = domain.ActionEdit
			if cmd.Overwrite { // without it, BeginUpload answers that the path is taken
				if err := existing.AuthorizeOverwrite(cmd.Caller.Principal); err != nil {
					return nil, err
				}
			}
		}
		if err := existing.BeginUpload(uploadID, cmd.Overwrite, now, d.opts.StaleUploadAfter); err != nil {
			return nil, err
		}
		rec, err = d.files.Update(ctx, existing)
		if isConflict(err) && attempt < maxAttempts {
			continue
		}
		if isConflict(err) {
			return nil, domain.Errorf(domain.ErrExists, "upload_in_progress", "Another upload to this path is in progress.")
		}
		return rec, err
	}
}

// commit points the record at the new content, retrying when a concurrent
// change (a soft delete, say) moved the record's version on, and then
// removes the blob the new content replaced (a failure there is reported
// and left to reconciliation: the record is already right).
func (d *deps) commit(ctx context.Context, rec *domain.FileRecord, uploadID string, c domain.Content, cmd UploadCommand) (*domain.FileRecord, error) {
	for attempt := 0; ; attempt++ {
		replaced, err := rec.CompleteUpload(uploadID, c, cmd.Filename, cmd.Caller.Principal.UserID, d.clock.Now())
		if err != nil {
			return nil, err
		}
		saved, err := d.files.Update(ctx, rec)
		if err == nil {
			d.removeReplaced(ctx, replaced)
			return saved, nil
		}
		if !isConflict(err) || attempt >= maxAttempts {
			return nil, err
		}
		if rec, err = d.files.Get(ctx, rec.Path()); err != nil {
			return nil, err
		}
	}
}

// removeReplaced removes a blob that committed content replaced, if any.
func (d *deps) removeReplaced(ctx context.Context, key string) {
	if key == "" {
		return
	}
	dctx, cancel := detached(ctx)
	defer cancel()
	if err := d.blobs.Delete(dctx, key); err != nil {
		d.report(ctx, "remove replaced blob", err)
	}
}

// target authorizes an upload by p and resolves where the file goes (the
// org from p, the timestamp prefix when asked) and the content rule it must
// meet (the configured rule of its kind).
func (d *deps) target(p domain.Principal, spec domain.PathSpec, addTimestamp bool, e *entry) (domain.StoragePath, domain.ContentRule, error) {
	if err := p.Authorize(domain.PermUpload); err != nil {
		return domain.StoragePath{}, domain.ContentRule{}, err
	}
	spec.OrgID = p.OrgID
	if addTimestamp {
		spec.Timestamp = d.clock.Now()
	}
	path, err := domain.NewStoragePath(spec)
	if err != nil {
		return domain.StoragePath{}, domain.ContentRule{}, err
	}
	e.forPath(path)
	rule, err := d.rule(path.Kind())
	return path, rule, err
}

// abandon undoes a failed upload: it removes this upload's own blob and
// releases its reservation (removing a record that never held content). It
// runs detached from the request so a client that went away cannot stop it.
func (d *deps) abandon(ctx context.Context, path domain.StoragePath, uploadID, key string) {
	ctx2, cancel := detached(ctx)
	defer cancel()
	if err := d.blobs.Delete(ctx2, key); err != nil {
		d.report(ctx, "remove abandoned blob", err)
	}
	for attempt := 0; attempt <= maxAttempts; attempt++ {
		rec, err := d.files.Get(ctx2, path)
		if errors.Is(err, domain.ErrNotFound) {
			return
		}
		if err != nil {
			d.report(ctx, "release reservation", err)
			return
		}
		if rec.PendingUploadID() != uploadID {
			return // the reservation is someone else's now
		}
		if rec.AbandonUpload(uploadID) {
			err = d.files.Delete(ctx2, rec)
		} else {
			_, err = d.files.Update(ctx2, rec)
		}
		if !isConflict(err) {
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				d.report(ctx, "release reservation", err)
			}
			return
		}
	}
}
