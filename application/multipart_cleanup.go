package application

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"storagegw/domain"
)

// CleanupReport counts what one clean-up of stale uploads did.
type CleanupReport struct {
	Sessions     int64 // expired sessions discarded
	Reservations int64 // reservations whose lease lapsed, released (their pending rows removed)
	StoreUploads int64 // store-side uploads that nothing alive owns, aborted
	TempFiles    int64 // temp files of dead uploads removed from the store's temp area (local disk)
	Skipped      int64 // expired sessions another request or run holds a claim on
	Failures     int64 // items that could not be cleaned; the next run retries them
	TusUploads   int64 // expired TUS uploads whose state and segments were removed
}

// cleanupPage is how many sessions or store uploads one step looks at.
const cleanupPage = 100

// CleanupUploads removes what uploads left behind, so that no
// reservation, session, stored part or temp file outlives its lease.
//
//  1. Every abandoned session is discarded (see AbortMultipart): the
//     store's upload aborted, the reservation released, the session deleted
//     in one transaction with a MULTIPART_ABORT event of the system actor.
//     Abandoned is an expired active session, or one whose completing or
//     aborting claim lapsed (domain.UploadSession.Abandoned): the run
//     claims it first, under its own claim, so concurrent runs on any
//     replica take each session once, and count it once.
//  2. Every reservation whose lease lapsed is released: a pending record
//     that never held content is removed, an overwrite's reservation
//     cleared, and the blob its upload may have written removed. The
//     release is an optimistic update, so a concurrent run or a new upload
//     taking the path over wins cleanly; only the run that released a
//     reservation counts it.
//  3. Every store-side upload in storagegw's key layout that no live
//     reservation owns (its path's record holds no unlapsed lease for the
//     upload id in its key) and that started more than one upload lease
//     ago is aborted: a crashed streamed Put's, or a dead session's (an
//     upload the store no longer knows was aborted by a concurrent run,
//     which counts it). One run at a time sweeps the store
//     (StoreSweepLock); a concurrent run leaves it to that one.
//  4. A store with a temp area of its own (local disk) removes the temp
//     files of uploads whose process died (TempSweeper).
//
// Nothing of a committed file is touched, and every step is idempotent.
type CleanupUploads struct {
	*multipart
}

// TempSweeper is the optional BlobStore capability of a store that writes
// through temp files (local disk): SweepTemp removes those whose writer is
// gone, and returns how many.
type TempSweeper interface {
	SweepTemp(ctx context.Context) (int, error)
}

// Run cleans up once. It returns an error only when it could not go on
// (the database or the store unreachable, ctx ended); single failures are
// counted and reported through OnBackgroundError. A deployment without
// multipart uploads still gets steps 2 and 4.
func (u *CleanupUploads) Run(ctx context.Context) (CleanupReport, error) {
	var rep CleanupReport
	now := u.clock.Now()
	store, mpErr := u.store()
	if mpErr == nil {
		if err := u.sessionsStep(ctx, store, now, &rep); err != nil {
			return rep, err
		}
	}
	if err := u.lapsedStep(ctx, now, &rep); err != nil {
		return rep, err
	}
	if u.tusUploads != nil {
		if err := u.tusStep(ctx, now, &rep); err != nil {
			return rep, err
		}
	}
	if mpErr == nil {
		if err := u.sweepStore(ctx, store, now, &rep); err != nil {
			return rep, err
		}
	}
	if u.temp != nil {
		n, err := u.temp.SweepTemp(ctx)
		rep.TempFiles += int64(n)
		if err != nil {
			rep.Failures++
			u.report(ctx, "sweep temp files", err)
		}
	}
	return rep, nil
}

func (u *CleanupUploads) sessionsStep(ctx context.Context, store MultipartStore, now time.Time, rep *CleanupReport) error {
	after := ""
	for {
		page, err := u.sessions.ListExpired(ctx, now, after, cleanupPage)
		if err != nil {
			return err
		}
		for _, s := range page {
			after = s.ID()
			if err := s.BeginCleanup(now, u.mopts.ClaimLease); err != nil {
				rep.Skipped++
				continue
			}
			claimed, err := u.sessions.Update(ctx, s)
			if isConflict(err) || errors.Is(err, domain.ErrNotFound) {
				rep.Skipped++ // another request or replica got there first
				continue
			}
			if err == nil {
				err = u.discard(ctx, store, claimed, func(ctx context.Context, deleteSession func(context.Context) error) error {
					return u.audit.tx.InTx(ctx, func(ctx context.Context) error {
						if err := deleteSession(ctx); err != nil {
							return err
						}
						return u.auditCleanup(ctx, claimed, now)
					})
				})
			}
			if err != nil {
				rep.Failures++
				u.report(ctx, "clean up upload session", err)
				continue
			}
			rep.Sessions++
		}
		if len(page) < cleanupPage || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// lapsedStep releases every reservation whose lease lapsed at now.
func (u *CleanupUploads) lapsedStep(ctx context.Context, now time.Time, rep *CleanupReport) error {
	after := ""
	for {
		page, err := u.files.ListLapsed(ctx, now, after, cleanupPage)
		if err != nil {
			return err
		}
		for _, rec := range page {
			after = rec.ID()
			uploadID := rec.PendingUploadID()
			released, err := u.release(ctx, rec.Path(), uploadID)
			if err != nil {
				rep.Failures++
				u.report(ctx, "release lapsed reservation", err)
				continue
			}
			key := domain.BlobKeyFor(rec.Path(), uploadID)
			if err := u.blobs.Delete(ctx, key); err != nil && !errors.Is(err, domain.ErrNotFound) {
				rep.Failures++
				u.report(ctx, "remove blob of a lapsed upload", err)
				continue
			}
			if released { // not another run's, nor a new upload's takeover
				rep.Reservations++
			}
		}
		if len(page) < cleanupPage || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// StoreSweepLock is the optional UploadSessions capability of a
// database that several processes share: LockStoreSweep takes the
// deployment's one store sweep (step 3), or reports that another run holds
// it (ok false). The store cannot arbitrate: S3 answers two aborts of one
// upload both with success, so two runs sweeping at once would both count
// it.
type StoreSweepLock interface {
	LockStoreSweep(ctx context.Context) (unlock func(), ok bool, err error)
}

// sweepStore runs step 3 under the store-sweep lock when the sessions'
// database offers one; a run that finds it held leaves the sweep to the
// run holding it, so each store upload is aborted and counted once.
func (u *CleanupUploads) sweepStore(ctx context.Context, store MultipartStore, now time.Time, rep *CleanupReport) error {
	if l, ok := u.sessions.(StoreSweepLock); ok {
		unlock, held, err := l.LockStoreSweep(ctx)
		if err != nil {
			return err
		}
		if !held {
			return nil
		}
		defer unlock()
	}
	return u.storeStep(ctx, store, now, rep)
}

func (u *CleanupUploads) storeStep(ctx context.Context, store MultipartStore, now time.Time, rep *CleanupReport) error {
	cutoff := now.Add(-u.opts.UploadLease)
	afterKey, afterID := "", ""
	for {
		page, err := store.ListMultipart(ctx, "", afterKey, afterID, cleanupPage)
		if err != nil {
			return err
		}
		for _, up := range page {
			afterKey, afterID = up.Key, up.StoreUploadID
			path, ours := domain.PathOfBlobKey(up.Key)
			if !ours || !up.Initiated.Before(cutoff) {
				continue
			}
			alive, err := u.owned(ctx, path, up.Key, now)
			if err != nil {
				return err
			}
			if alive {
				continue
			}
			err = store.AbortMultipart(ctx, up.Key, up.StoreUploadID)
			switch {
			case errors.Is(err, domain.ErrNotFound):
				continue // another run aborted it: it counts it
			case err != nil:
				rep.Failures++
				u.report(ctx, "abort stale store upload", err)
				continue
			}
			rep.StoreUploads++
		}
		if len(page) < cleanupPage || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// owned reports whether the store-side upload to key belongs to an upload
// that is alive at now: the record of path holds a lease, not lapsed, for
// the upload whose key it is.
func (u *CleanupUploads) owned(ctx context.Context, path domain.StoragePath, key string, now time.Time) (bool, error) {
	rec, err := u.files.Get(ctx, path)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id := rec.PendingUploadID()
	return id != "" && domain.BlobKeyFor(path, id) == key && !rec.LeaseLapsed(now), nil
}

// cleanupEventNamespace derives the ids of the clean-up's MULTIPART_ABORT
// events (UUID version 5), so a retried clean-up writes each once.
var cleanupEventNamespace = uuid.MustParse("5d0c2b8e-7f3a-4a51-8a0e-3c2f1b9d6e47")

// auditCleanup writes, in the transaction that deletes it (ctx), the
// MULTIPART_ABORT event of a session the clean-up discarded. A concurrent
// run cannot have written it: only the run whose claim won deletes the
// session.
func (u *CleanupUploads) auditCleanup(ctx context.Context, s *domain.UploadSession, now time.Time) error {
	p := s.Path()
	ev, err := domain.NewAuditEvent(domain.AuditEventData{
		ID:        uuid.NewSHA1(cleanupEventNamespace, []byte(s.ID())).String(),
		Timestamp: now,
		Actor:     domain.Actor{UserID: domain.SystemActor, Role: domain.RoleSystem, OrgID: p.OrgID()},
		Action:    domain.ActionMultipartAbort,
		FilePath:  p.String(), RelatedObjectType: string(p.ObjectType()), RelatedObjectID: p.ObjectID(),
		Metadata: map[string]any{"upload_id": s.ID(), "reason": "expired", "created_by": s.CreatedBy(),
			"expires_at": s.ExpiresAt().Format(time.RFC3339)},
		Success: true,
	})
	if err != nil {
		return err
	}
	if err := u.audit.log.Append(ctx, ev); err != nil {
		return auditUnavailable(err)
	}
	return nil
}
