package application

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"storagegw/domain"
)

// receive stores the bytes of cmd.Body into t, loaded for cmd.Caller,
// and completes the upload once it holds them all (see TusPatch). e is the
// request's one event: TUS_PATCH (or the creation's MULTIPART_INITIATE,
// creation set), committed with the new offset, or the UPLOAD/EDIT of
// the completion. The upload's lease is renewed every LockTTL/3 while
// the bytes stream and the upload completes; a lease lost meanwhile (the
// database was out of reach for a whole lease and another request took
// the upload) stops the writing with upload_locked.
//
// creation is the body of a creation-with-upload (TusCreate): the client
// learns of the upload only from this request's answer, so a failure
// discards the upload (bytes, reservation, session, TUS state) and
// answers the error, and the creation's event is written whatever the
// body stored.
func (u *tus) receive(ctx context.Context, cmd TusPatchCommand, t *domain.TusUpload, e *entry, creation bool) (TusPatchResult, error) {
	now := u.clock.Now()
	if err := t.CheckWrite(cmd.Offset, now); err != nil {
		return TusPatchResult{}, err
	}
	if err := checkTusBody(t, cmd.ContentLength); err != nil {
		return TusPatchResult{}, err
	}
	var scratch entry
	store, s, err := u.open(ctx, cmd.Caller, t.ID(), &scratch)
	if errors.Is(err, domain.ErrNotFound) {
		return TusPatchResult{}, errNoUpload()
	}
	if err != nil {
		return TusPatchResult{}, err
	}
	var consumed []string
	fail := func(err error, keys ...string) (TusPatchResult, error) {
		if creation {
			u.drop(ctx, store, s, append(keys, consumed...))
		}
		return TusPatchResult{}, err
	}
	if err := s.CheckOpen(now); err != nil {
		return fail(err)
	}
	if err := u.renew(ctx, s, now); err != nil {
		return fail(err)
	}
	locked, err := u.lock(ctx, t, now)
	if err != nil {
		return fail(err)
	}
	var path *domain.FileRecord // a creation holds its path by a renewed lease until the body is stored
	if creation {
		if path, err = u.files.Get(ctx, s.Path()); err != nil {
			u.unlock(ctx, locked)
			return fail(err)
		}
	}
	wctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	lease := u.keepLock(wctx, locked, lost, path, s.UploadID())
	defer lease.stop()
	before := locked.Data()
	t, _ = domain.RehydrateTusUpload(before)
	consumed, werr := u.write(wctx, s, t, cmd.Body, cmd.ContentLength)
	if creation && werr == nil && cmd.ContentLength < 0 && t.Offset() == t.Length() {
		werr = checkBodyEnds(cmd.Body, t) // a body of unknown length ends with the file, read to its end
	}
	if cause := context.Cause(wctx); werr != nil && errors.Is(cause, domain.ErrExists) {
		werr = cause // the lease was lost: another request writes now
	}
	e.metadata["bytes_stored"] = t.Offset() - before.Offset
	if creation && werr == nil {
		// The body is stored: the path is held for the session's lifetime
		// from now on, by the record as the renewals last saved it.
		if err := lease.settle(ctx, u.deps, u.clock.Now().Add(u.mopts.SessionTTL)); err != nil {
			return fail(err, segmentKeys(t)...)
		}
	}
	if werr == nil && t.Offset() == t.Length() {
		rec, err := u.completeUpload(ctx, cmd.Caller, store, s, lease, t, consumed, e, creation)
		if err != nil {
			return TusPatchResult{}, err
		}
		return TusPatchResult{Upload: t, Record: rec}, nil
	}
	held := lease.stop()
	if creation && werr != nil {
		return fail(werr, segmentKeys(t)...)
	}
	if t.Offset() == before.Offset && !creation {
		u.unlock(ctx, held)
		return TusPatchResult{Upload: held}, werr
	}
	// Bytes were stored (or a creation's body ended early, without
	// error): the new offset commits with the request's event, an
	// interrupted PATCH included (the client resumes from it).
	if werr != nil {
		e.metadata["interrupted"] = true
	}
	_ = t.Rebase(held)
	t.Unlock(u.clock.Now())
	var saved *domain.TusUpload
	dctx, cancel := detached(ctx) // a client that left still gets its bytes counted
	defer cancel()
	err = u.audit.change(dctx, cmd.Caller, e, func(ctx context.Context) (err error) {
		saved, err = u.uploads.Update(ctx, t)
		e.result = TusPatchResult{Upload: saved}
		return err
	})
	if err != nil {
		if creation {
			return fail(err, segmentKeys(t)...)
		}
		u.unlock(ctx, held)
		return TusPatchResult{}, err
	}
	u.deleteSegments(ctx, consumed)
	return TusPatchResult{Upload: saved}, werr
}

// checkBodyEnds reads the end of a creation's body of unknown length
// that held the rest of t's file, so that the request's body was read
// whole before its change commits: a byte more is upload_length_exceeded.
func checkBodyEnds(body io.Reader, t *domain.TusUpload) error {
	var b [1]byte
	if n, _ := io.ReadFull(body, b[:]); n > 0 {
		return bodyPastUploadLength(t.Length())
	}
	return nil
}

// bodyPastUploadLength refuses a creation's body longer than the
// Upload-Length it declared.
func bodyPastUploadLength(length int64) error {
	return domain.Errorf(domain.ErrTooLarge, "upload_length_exceeded",
		"The body holds more bytes than the %s of Upload-Length.", domain.FormatSize(length))
}

// checkTusBody refuses a body that declares more bytes than t still needs.
func checkTusBody(t *domain.TusUpload, contentLength int64) error {
	if contentLength > t.Length()-t.Offset() {
		return domain.Errorf(domain.ErrTooLarge, "upload_length_exceeded",
			"The body holds more bytes than the %s the upload still needs.", domain.FormatSize(t.Length()-t.Offset()))
	}
	return nil
}

// completeUpload completes the session of t, which holds every byte,
// with e as the completion's UPLOAD event; consumed are the segments its
// parts took in. A refusal that discarded the session removes t's state
// and those segments; another failure gives back the lease at the offset
// before this PATCH, so the client sends its bytes again (a creation's
// upload is dropped instead).
func (u *tus) completeUpload(ctx context.Context, c Caller, store MultipartStore, s *domain.UploadSession,
	lease *tusLock, t *domain.TusUpload, consumed []string, e *entry, creation bool) (*domain.FileRecord, error) {
	e.action = domain.ActionUpload
	e.metadata = map[string]any{"multipart": true, "protocol": "tus", "upload_id": s.ID()}
	if creation {
		e.metadata["creation_with_upload"] = true
	}
	stored, err := store.ListParts(ctx, s.BlobKey(), s.StoreUploadID())
	if err != nil {
		u.giveBack(ctx, store, s, lease.stop(), consumed, creation)
		return nil, err
	}
	parts := make([]domain.PartRef, len(stored))
	for i, p := range stored {
		parts[i] = domain.PartRef{Number: p.Number, ETag: p.ETag}
	}
	e.metadata["parts"] = len(parts)
	// The completion's change commits the file; the request answers with
	// the upload as it then stands (every byte stored) and that file.
	e.answerOf = func(result any) any {
		rec, _ := result.(*domain.FileRecord)
		return TusPatchResult{Upload: t, Record: rec}
	}
	rec, err := u.complete.run(ctx, CompleteMultipartCommand{Caller: c, UploadID: s.ID(), Parts: parts}, e)
	held := lease.stop()
	if err != nil {
		if _, gerr := u.sessions.Get(ctx, s.ID()); errors.Is(gerr, domain.ErrNotFound) {
			u.forget(ctx, held, consumed)
		} else {
			u.giveBack(ctx, store, s, held, consumed, creation)
		}
		return nil, err
	}
	_ = t.Rebase(held)
	t.Complete(u.clock.Now())
	t.Unlock(u.clock.Now())
	dctx, cancel := detached(ctx)
	defer cancel()
	if _, err := u.uploads.Update(dctx, t); err != nil {
		u.report(ctx, "mark tus upload complete", err)
	}
	u.deleteSegments(dctx, consumed)
	return rec, nil
}

// giveBack ends a request that failed with the upload still open: a
// PATCH unlocks it, a creation drops it.
func (u *tus) giveBack(ctx context.Context, store MultipartStore, s *domain.UploadSession, held *domain.TusUpload,
	consumed []string, creation bool) {
	if creation {
		u.drop(ctx, store, s, consumed)
		return
	}
	u.unlock(ctx, held)
}

// drop discards an upload that a creation-with-upload made and could not
// answer: the session (store upload, reservation), then the TUS state and
// its segments, detached from the request. Failures are reported and left
// to the clean-up.
func (u *tus) drop(ctx context.Context, store MultipartStore, s *domain.UploadSession, consumed []string) {
	if err := u.discard(ctx, store, s, nil); err != nil {
		u.report(ctx, "discard tus creation", err)
	}
	dctx, cancel := detached(ctx)
	defer cancel()
	cur, err := u.uploads.Get(dctx, s.ID())
	if err != nil {
		if !errors.Is(err, domain.ErrNotFound) {
			u.report(ctx, "discard tus creation", err)
		}
		u.deleteSegments(dctx, consumed)
		return
	}
	u.forget(ctx, cur, append(consumed, segmentKeys(cur)...))
}

// tusLock keeps a request's lease on a TUS upload alive and holds the
// upload as last saved, for the request's own updates; for a creation it
// renews the path's reservation too, until settled.
type tusLock struct {
	*renewer
	once     sync.Once
	mu       sync.Mutex
	cur      *domain.TusUpload
	path     *domain.FileRecord // the reservation renewed with the lease; nil once settled, or for a PATCH
	uploadID string
}

// keepLock renews the lease of locked every LockTTL/3 until stopped, and
// with it path's reservation by uploadID when path is set. A renewal that
// finds the lease another request's (it ran out and was taken) or the
// reservation taken over calls lost with upload_locked or
// upload_superseded; one the database refuses is reported and tried again
// at the next tick (the lease has two more in hand).
func (t *tus) keepLock(ctx context.Context, locked *domain.TusUpload, lost context.CancelCauseFunc,
	path *domain.FileRecord, uploadID string) *tusLock {
	l := &tusLock{cur: locked, path: path, uploadID: uploadID}
	owner := locked.LockOwner()
	l.renewer = startRenewer(ctx, t.opts.LockTTL/3, func(ctx context.Context) bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.path != nil {
			saved, err := t.extendLease(ctx, l.path, uploadID)
			switch {
			case errors.Is(err, domain.ErrExists):
				lost(err)
				return false
			case err != nil:
				if ctx.Err() == nil {
					t.report(ctx, "renew upload lease", err)
				}
			default:
				l.path = saved
			}
		}
		next, err := domain.RehydrateTusUpload(l.cur.Data())
		if err == nil {
			err = next.ExtendLock(owner, t.clock.Now(), t.opts.LockTTL)
		}
		var saved *domain.TusUpload
		if err == nil {
			saved, err = t.uploads.Update(ctx, next)
		}
		switch {
		case isConflict(err) || errors.Is(err, domain.ErrExists) || errors.Is(err, domain.ErrNotFound):
			lost(domain.Errorf(domain.ErrExists, "upload_locked",
				"Another request took this upload over; send a HEAD request and continue at its Upload-Offset."))
			return false
		case err != nil:
			if ctx.Err() == nil {
				t.report(ctx, "renew tus upload lease", err)
			}
			return true
		}
		l.cur = saved
		return true
	})
	return l
}

// settle ends the renewal of the path's reservation (if any) and holds
// it until until instead: once a creation's body is stored, its path is
// held for the session's lifetime, like any multipart upload's.
func (l *tusLock) settle(ctx context.Context, d *deps, until time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == nil {
		return nil
	}
	_, err := d.extendLeaseUntil(ctx, l.path, l.uploadID, func() time.Time { return until })
	l.path = nil
	return err
}

// stop ends the renewals (once; later calls just answer) and returns the
// upload as last saved.
func (l *tusLock) stop() *domain.TusUpload {
	l.once.Do(l.renewer.stop)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}
