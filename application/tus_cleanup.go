package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// tusStep is CleanupUploads' step for TUS uploads (when enabled), run
// after the sessions' step: the state of every expired TUS upload whose
// session is gone (completed, aborted, or discarded by the sessions' step)
// is removed with its segment blobs. One whose session is still there (a
// request completing it, within CleanupGrace) waits for a later run.
func (u *CleanupUploads) tusStep(ctx context.Context, now time.Time, rep *CleanupReport) error {
	after := ""
	for {
		page, err := u.tusUploads.ListExpired(ctx, now, after, cleanupPage)
		if err != nil {
			return err
		}
		for _, t := range page {
			after = t.ID()
			if _, err := u.sessions.Get(ctx, t.ID()); err == nil {
				rep.Skipped++
				continue
			} else if !errors.Is(err, domain.ErrNotFound) {
				return err
			}
			if err := u.forgetTus(ctx, t); err != nil {
				rep.Failures++
				u.report(ctx, "clean up tus upload", err)
				continue
			}
			rep.TusUploads++
		}
		if len(page) < cleanupPage || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// forgetTus removes t's segments, then its state; the state stays when a
// segment could not be removed, so the next run retries.
func (u *CleanupUploads) forgetTus(ctx context.Context, t *domain.TusUpload) error {
	for _, k := range segmentKeys(t) {
		if err := u.blobs.Delete(ctx, k); err != nil {
			return err
		}
	}
	if err := u.tusUploads.Delete(ctx, t); err != nil && !errors.Is(err, domain.ErrNotFound) && !isConflict(err) {
		return err
	}
	return nil
}
