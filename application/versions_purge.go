package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// purgeVersions is the retention purge's second pass: it removes the
// versions superseded longer than the version retention
// (VersionOptions.Retention, the soft-delete retention by default; cmd's
// VersionsOlderThan overrides it), each in a transaction of its own that
// deletes the version's row and appends its PURGE event (metadata
// {"version_id"}), then removes the blob once that committed. A version
// under legal hold (HeldBy) is left, and counted as held. A version
// another purger took first is skipped. A blob whose removal failed is an
// orphan that reconciliation removes. The versions of a file the first
// pass purged were superseded before it was deleted, so with the default
// retention they are due in the same run.
func (r *purgeRun) purgeVersions(ctx context.Context, cmd PurgeCommand, batch int) error {
	if r.versions == nil {
		return nil
	}
	retention := cmd.VersionsOlderThan
	if retention == 0 {
		retention = r.versionRetention()
	}
	if retention < 0 {
		return domain.Errorf(domain.ErrInvalid, "invalid_purge", "The version retention must be positive.")
	}
	q := VersionPurgeQuery{Before: r.clock.Now().Add(-retention), OrgID: cmd.OrgID, Limit: batch}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		due, err := r.versions.ListDue(ctx, q)
		if err != nil {
			return err
		}
		for _, v := range due {
			now := r.clock.Now()
			if !v.SupersededLongerThan(retention, now) {
				continue
			}
			if err := r.dueVersion(ctx, v, retention, now); err != nil {
				return err
			}
		}
		if cmd.Progress != nil {
			cmd.Progress(*r.rep)
		}
		if len(due) < batch {
			return nil
		}
		q.AfterID = due[len(due)-1].ID
	}
}

// dueVersion purges v, due, and counts it; an error stops the run.
func (r *purgeRun) dueVersion(ctx context.Context, v domain.FileVersion, retention time.Duration, now time.Time) error {
	r.rep.VersionsDue++
	if r.dryRun {
		r.rep.VersionsPurged++
		r.rep.VersionBytes += v.Content.SizeBytes
		return nil
	}
	held, err := r.purgeVersion(ctx, v, retention, now)
	switch {
	case err == nil && held:
		r.rep.VersionsHeld++
	case err == nil:
		r.inARow = 0
		r.rep.VersionsPurged++
		r.rep.VersionBytes += v.Content.SizeBytes
	case errors.Is(err, domain.ErrNotFound):
		r.rep.Skipped++ // purged by another run meanwhile
	case isAuditFailure(err) || domain.IsDatabaseUnavailable(err):
		return err
	default:
		r.failed(ctx, err)
		return r.abort
	}
	return nil
}

// purgeVersionsOf removes, whatever their age, the versions of the files
// the first pass has just purged, in the batch's transaction, each with
// its PURGE event (metadata "with_file"), and returns them: a file purged
// for good takes its versions with it, as a hard delete does, so none
// outlives its file (with a version retention longer than the soft-delete
// one) or shows up under a new file uploaded later at the same path, even
// when the run fails or stops between the two. Within the transaction the
// path's versions are all the purged file's: the batch holds the record,
// which a new file at the path needs, and a held path was not purged
// (HeldBy, in this transaction). A version another purger took meanwhile
// is skipped. A dry run purges no file, so it counts none of these.
func (r *purgeRun) purgeVersionsOf(ctx context.Context, purged []*domain.FileRecord) ([]domain.FileVersion, error) {
	if r.versions == nil {
		return nil, nil
	}
	var gone []domain.FileVersion
	for _, rec := range purged {
		vs, err := r.versions.List(ctx, rec.Path())
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			err := r.dropVersion(ctx, v, r.olderThan, r.clock.Now(), true)
			if errors.Is(err, domain.ErrNotFound) {
				r.rep.Skipped++ // purged by another run meanwhile
				continue
			}
			if err != nil {
				return nil, err
			}
			gone = append(gone, v)
		}
	}
	return gone, nil
}

// versionsGone counts the versions purgeVersionsOf removed, once their
// transaction committed, and removes their blobs (a failure is left to
// reconciliation).
func (r *purgeRun) versionsGone(ctx context.Context, gone []domain.FileVersion) {
	keys := make([]string, 0, len(gone))
	for _, v := range gone {
		r.rep.VersionsDue++
		r.rep.VersionsPurged++
		r.rep.VersionBytes += v.Content.SizeBytes
		keys = append(keys, v.Content.BlobKey)
	}
	r.removeBlobs(ctx, "remove purged version blob", keys...)
}

// purgeVersion removes one due version: row and PURGE event in one
// transaction, then its blob. held reports a version kept by a legal hold.
func (r *purgeRun) purgeVersion(ctx context.Context, v domain.FileVersion, retention time.Duration, now time.Time) (held bool, err error) {
	err = r.audit.tx.InTx(ctx, func(ctx context.Context) error {
		hold, err := HeldBy(ctx, r.holds, v.Path)
		if err != nil || hold != nil {
			held = hold != nil
			return err
		}
		return r.dropVersion(ctx, v, retention, now, false)
	})
	if err != nil || held {
		return held, err
	}
	r.removeBlobs(ctx, "remove purged version blob", v.Content.BlobKey)
	return false, nil
}

// dropVersion deletes v's row and appends its PURGE event, in the
// transaction of ctx; its blob is the caller's to remove once that
// committed. A version another purger took is domain.ErrNotFound.
func (r *purgeRun) dropVersion(ctx context.Context, v domain.FileVersion, retention time.Duration, now time.Time, withFile bool) error {
	if err := r.versions.Delete(ctx, v); err != nil {
		return err
	}
	ev, err := versionPurgeEvent(v, retention, now, withFile)
	if err != nil {
		return err
	}
	if err := r.audit.log.Append(ctx, ev); err != nil {
		return auditUnavailable(err)
	}
	return nil
}

// isAuditFailure reports the audit trail's failure, which stops a purge.
func isAuditFailure(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == "audit_unavailable"
}

// versionPurgeEvent is the PURGE event of a version whose row is gone. Its
// id is derived from the version, so it is written once whatever retries.
// retention is the version retention, or with its file (withFile: the
// version went with its purged file) the soft-delete retention.
func versionPurgeEvent(v domain.FileVersion, retention time.Duration, now time.Time, withFile bool) (*domain.AuditEvent, error) {
	path := v.Path
	meta := map[string]any{
		"version_id":    v.ID,
		"size_bytes":    v.Content.SizeBytes,
		"sha256":        v.Content.SHA256,
		"superseded_at": v.SupersededAt.UTC().Format(time.RFC3339Nano),
		"retention":     retention.String(),
	}
	if withFile {
		meta["with_file"] = true
	}
	return domain.NewAuditEvent(domain.AuditEventData{
		ID:        PurgeEventID(v.ID, v.SupersededAt),
		Timestamp: now,
		Actor:     domain.Actor{UserID: domain.SystemActor, Role: domain.RoleSystem, OrgID: path.OrgID()},
		Action:    domain.ActionPurge,
		FilePath:  path.String(), RelatedObjectType: string(path.ObjectType()), RelatedObjectID: path.ObjectID(),
		Metadata: meta,
		Success:  true,
	})
}
