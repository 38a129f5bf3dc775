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
	StoreUploads int64 // store-side uploads without a session aborted
	Skipped      int64 // expired sessions another request is still completing or aborting
	Failures     int64 // sessions or store uploads that could not be cleaned; the next run retries them
	TusUploads   int64 // expired TUS uploads whose state and segments were removed
}

// cleanupPage is how many sessions or store uploads one step looks at.
const cleanupPage = 100

// CleanupUploads removes what multipart uploads left behind, so that no
// reservation, session or stored part outlives its session's lifetime.
//
//  1. Every expired session is discarded (see AbortMultipart): the store's
//     upload aborted, the reservation released, the session deleted in one
//     transaction with a MULTIPART_ABORT event of the system actor. A session
//     a request is completing or aborting is left alone until CleanupGrace
//     past its expiry, after which the request is taken to have stopped.
//  2. Every store-side upload in storagegw's key layout that started more
//     than SessionTTL + CleanupGrace ago is aborted: by then any session of
//     it was discarded in step 1, so it is a leftover (a session that could
//     not be saved, a crashed process). That is also far longer than any
//     streamed Put's own multipart upload takes.
//
// Replicas may run it at once: sessions are claimed by an optimistic
// update, and aborting an upload twice is harmless.
type CleanupUploads struct {
	*multipart
}

// Run cleans up once. It returns an error only when it could not go on
// (the database or the store unreachable, ctx ended); single failures are
// counted and reported through OnBackgroundError.
func (u *CleanupUploads) Run(ctx context.Context) (CleanupReport, error) {
	var rep CleanupReport
	store, err := u.store()
	if err != nil {
		return rep, err
	}
	now := u.clock.Now()
	if err := u.sessionsStep(ctx, store, now, &rep); err != nil {
		return rep, err
	}
	if u.tusUploads != nil {
		if err := u.tusStep(ctx, now, &rep); err != nil {
			return rep, err
		}
	}
	return rep, u.storeStep(ctx, store, now, &rep)
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
			if err := s.BeginCleanup(now, u.mopts.CleanupGrace); err != nil {
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

func (u *CleanupUploads) storeStep(ctx context.Context, store MultipartStore, now time.Time, rep *CleanupReport) error {
	cutoff := now.Add(-u.mopts.SessionTTL - u.mopts.CleanupGrace)
	afterKey, afterID := "", ""
	for {
		page, err := store.ListMultipart(ctx, "", afterKey, afterID, cleanupPage)
		if err != nil {
			return err
		}
		for _, up := range page {
			afterKey, afterID = up.Key, up.StoreUploadID
			if _, ours := domain.PathOfBlobKey(up.Key); !ours || !up.Initiated.Before(cutoff) {
				continue
			}
			err := store.AbortMultipart(ctx, up.Key, up.StoreUploadID)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
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
		return domain.Wrap(domain.ErrUnavailable, "audit_unavailable",
			"The audit trail could not be written; try again later.", err)
	}
	return nil
}
