package application

import (
	"context"
	"errors"
	"sync"

	"storagegw/domain"
)

// CompleteMultipartCommand asks to finish a multipart upload.
type CompleteMultipartCommand struct {
	Caller   Caller
	UploadID string           // the session's id
	Parts    []domain.PartRef // every part, ascending, with the ETag its upload answered
}

// CompleteMultipart assembles the parts of a session into the file and
// commits its record.
//
// Until the store assembles the parts, a failure leaves the session open:
// a part list that does not match what the store holds (a missing part, a
// wrong ETag or size) is domain.ErrInvalid and the client may fix it and
// try again. Once assembled, the file is checked like an upload's: its
// first bytes are sniffed through a ranged read and its type and real size
// checked against the kind's rule (domain.ErrUnsupportedType,
// domain.ErrTooLarge), and so is its content (an app-builder archive must
// be a readable, bounded zip: domain.ContentRule.CheckContent); then its SHA-256 is computed by reading the whole
// object back through the service once (for a file of n bytes, n bytes
// from the store and time in proportion: the cost of recording a hash the
// client cannot forge). A failure from there on discards everything: the
// assembled blob is removed, the reservation released, the session deleted.
// Success commits the record exactly as Upload does, removes the blob it
// replaced and deletes the session.
type CompleteMultipart struct {
	*multipart
}

// Handle completes the upload and returns the committed record. It writes
// one audit event: UPLOAD for a new file, EDIT for an overwrite.
func (u *CompleteMultipart) Handle(ctx context.Context, cmd CompleteMultipartCommand) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionUpload, metadata: map[string]any{
		"multipart": true, "upload_id": clipID(cmd.UploadID), "parts": len(cmd.Parts)}}
	rec, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return rec, nil
}

func (u *CompleteMultipart) run(ctx context.Context, cmd CompleteMultipartCommand, e *entry) (*domain.FileRecord, error) {
	store, s, err := u.open(ctx, cmd.Caller, cmd.UploadID, e)
	if err != nil {
		return nil, err
	}
	for _, p := range cmd.Parts {
		if err := domain.CheckText("etag", p.ETag); err != nil {
			return nil, err
		}
	}
	if err := s.BeginComplete(u.clock.Now(), u.mopts.ClaimLease); err != nil {
		return nil, err
	}
	if s, err = u.save(ctx, s); err != nil {
		return nil, err
	}
	// The claim is renewed while the complete runs (hashing a large file
	// takes a while); a complete whose claim was taken over stops (cctx).
	cctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	claim := u.keepClaim(cctx, s, lost)
	info, err := u.assemble(cctx, store, s, cmd.Parts)
	assembled := err == nil
	var rec *domain.FileRecord
	if assembled {
		rec, err = u.commitAssembled(cctx, cmd.Caller, s, info, e)
	}
	s = claim.stop()
	if cause := context.Cause(cctx); err != nil && errors.Is(cause, domain.ErrExists) {
		return nil, cause // another request took the upload over; it finishes it
	}
	switch {
	case errors.Is(err, errStoreUploadGone):
		u.finish(ctx, store, s, true)
		return nil, errNoUpload()
	case !assembled:
		u.resume(ctx, s)
		return nil, err
	}
	u.finish(ctx, store, s, err != nil)
	return rec, err
}

// sessionClaim keeps a completing session's claim alive (see
// MultipartOptions.ClaimLease) and holds the session as last saved.
type sessionClaim struct {
	*renewer
	mu sync.Mutex
	s  *domain.UploadSession
}

// keepClaim renews s's claim every ClaimLease/3. A renewal that lost to
// another request (the claim lapsed and was taken over) calls lost.
func (u *CompleteMultipart) keepClaim(ctx context.Context, s *domain.UploadSession, lost context.CancelCauseFunc) *sessionClaim {
	c := &sessionClaim{s: s}
	c.renewer = startRenewer(ctx, u.mopts.ClaimLease/3, func(ctx context.Context) bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		next := *c.s
		next.RenewClaim(u.clock.Now(), u.mopts.ClaimLease)
		saved, err := u.save(ctx, &next)
		switch {
		case errors.Is(err, domain.ErrExists) || errors.Is(err, domain.ErrNotFound):
			lost(domain.Errorf(domain.ErrExists, "upload_closing",
				"The upload is being completed or aborted by another request."))
			return false
		case err != nil:
			if ctx.Err() == nil {
				u.report(ctx, "renew multipart claim", err)
			}
			return true
		}
		c.s = saved
		return true
	})
	return c
}

func (c *sessionClaim) stop() *domain.UploadSession {
	c.renewer.stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}

// errStoreUploadGone means the store no longer knows the session's upload
// (aborted behind the service's back); the session is then discarded.
var errStoreUploadGone = errors.New("the store's multipart upload is gone")

// assemble checks the client's part list against the store's and has the
// store assemble the parts.
func (u *CompleteMultipart) assemble(ctx context.Context, store MultipartStore, s *domain.UploadSession, parts []domain.PartRef) (BlobInfo, error) {
	key := s.BlobKey()
	stored, err := store.ListParts(ctx, key, s.StoreUploadID())
	if errors.Is(err, domain.ErrNotFound) {
		// A complete that died after the store assembled the parts (its
		// claim lapsed and this request took over) left the blob: finish it.
		return u.assembled(ctx, s)
	}
	if err != nil {
		return BlobInfo{}, err
	}
	if err := s.Plan().CheckParts(parts, stored); err != nil {
		return BlobInfo{}, err
	}
	info, err := store.CompleteMultipart(ctx, key, s.StoreUploadID(), parts)
	if errors.Is(err, domain.ErrNotFound) {
		// An earlier attempt of this very request (a retry inside the
		// store client) may have completed it: the blob then exists.
		return u.assembled(ctx, s)
	}
	return info, err
}

// assembled returns the blob that an earlier complete of s assembled, or
// errStoreUploadGone when there is none.
func (u *CompleteMultipart) assembled(ctx context.Context, s *domain.UploadSession) (BlobInfo, error) {
	info, err := u.blobs.Stat(ctx, s.BlobKey())
	if errors.Is(err, domain.ErrNotFound) {
		return BlobInfo{}, errStoreUploadGone
	}
	return info, err
}

// resume reopens a session whose complete failed before assembly,
// detached from the request. A failure is reported; the session then
// stays completing until the clean-up takes it.
func (u *CompleteMultipart) resume(ctx context.Context, s *domain.UploadSession) {
	dctx, cancel := detached(ctx)
	defer cancel()
	s.ResumeUpload(u.clock.Now())
	if _, err := u.sessions.Update(dctx, s); err != nil {
		u.report(ctx, "reopen upload session", err)
	}
}

// finish ends a session once its upload was assembled: discarded after a
// failure, merely deleted after a commit. Failures are reported; the
// clean-up takes what is left.
func (u *CompleteMultipart) finish(ctx context.Context, store MultipartStore, s *domain.UploadSession, failed bool) {
	if failed {
		if err := u.discard(ctx, store, s, nil); err != nil {
			u.report(ctx, "discard multipart upload", err)
		}
		return
	}
	dctx, cancel := detached(ctx)
	defer cancel()
	if err := u.sessions.Delete(dctx, s); err != nil {
		u.report(ctx, "delete upload session", err)
	}
}
