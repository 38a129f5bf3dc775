package application

import (
	"bufio"
	"context"
	"errors"

	"storagegw/domain"
)

// direct reports whether cmd's upload to path commits its record without
// reserving the path first (runDirect): a new timestamped path, not an
// overwrite, of an org without a quota. A timestamped path is new but for a
// clash of object id, name and second, so the reservation would only cost
// a commit (a synchronous one on SQLite, on its one writer) and two round
// trips; a quota needs the reservation, whose declared size is the claim
// concurrent uploads count.
func (d *deps) direct(path domain.StoragePath, cmd UploadCommand) bool {
	return cmd.AddTimestamp && !cmd.Overwrite && d.opts.Quotas.For(path.OrgID()).Unlimited()
}

// runDirect is Upload.run for a direct upload (see direct): the bytes
// stream into this upload's own blob key, sniffed, bounded and hashed as
// for any upload, and the record is created holding them, in one
// transaction with the call's event, after the blob is durable. When the
// path exists by then (a clash), the upload goes on as any other would:
// it reserves the path (BeginUpload's rules: a file there is path_taken, a
// live upload upload_in_progress) and commits the blob it stored. A
// failure removes this upload's blob, as Upload.run's does. While it
// streams no record names the blob: reconcile reports it as an orphan for
// that long and removes it only past the grace period, counted from the
// blob's last write.
func (u *Upload) runDirect(ctx context.Context, path domain.StoragePath, rule domain.ContentRule, body *bufio.Reader,
	contentType string, cmd UploadCommand, e *entry) (*domain.FileRecord, error) {
	uploadID := newID()
	key := domain.BlobKeyFor(path, uploadID)
	m := rule.Meter(body)
	info, err := u.blobs.Put(ctx, key, m, contentType)
	if err == nil && info.Size != m.N() {
		err = domain.Errorf(domain.ErrUnavailable, "store_size_mismatch",
			"The store kept a different number of bytes than were sent; try again.")
	}
	if err == nil {
		err = rule.CheckContent(&blobReaderAt{ctx: ctx, blobs: u.blobs, key: key}, m.N())
	}
	if err != nil {
		u.abandonAfter(ctx, err, path, uploadID, key)
		return nil, err
	}
	content := domain.Content{BlobKey: key, ContentType: contentType, SizeBytes: m.N(), SHA256: m.SHA256()}
	e.metadata["size_bytes"], e.metadata["sha256"] = m.N(), content.SHA256
	by, now := cmd.Caller.Principal.UserID, u.clock.Now()
	rec, err := domain.NewPendingRecord(newID(), path, cmd.Filename, by, uploadID, now, u.opts.UploadLease)
	if err == nil {
		_, err = rec.CompleteUpload(uploadID, content, cmd.Filename, by, now)
	}
	var saved *domain.FileRecord
	if err == nil {
		err = u.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) (err error) {
			saved, err = u.files.Create(ctx, rec)
			e.result = saved
			return err
		})
	}
	if errors.Is(err, domain.ErrExists) && !e.written { // a clash: reserve and commit as any upload
		if rec, _, err = u.reserve(ctx, path, cmd, uploadID, u.opts.UploadLease, e); err == nil {
			saved, err = u.commit(ctx, rec, uploadID, content, cmd, cmd.Caller, e)
		}
	}
	if err != nil {
		u.abandonAfter(ctx, err, path, uploadID, key)
		return nil, err
	}
	return saved, nil
}
