package application

import (
	"context"
	"errors"

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
	if err := s.BeginComplete(u.clock.Now()); err != nil {
		return nil, err
	}
	if s, err = u.save(ctx, s); err != nil {
		return nil, err
	}
	info, err := u.assemble(ctx, store, s, cmd.Parts)
	if errors.Is(err, errStoreUploadGone) {
		u.finish(ctx, store, s, true)
		return nil, errNoUpload()
	}
	if err != nil {
		u.resume(ctx, s)
		return nil, err
	}
	rec, err := u.commitAssembled(ctx, cmd.Caller, s, info, e)
	u.finish(ctx, store, s, err != nil)
	return rec, err
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
		return BlobInfo{}, errStoreUploadGone
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
		if info, err = u.blobs.Stat(ctx, key); errors.Is(err, domain.ErrNotFound) {
			return BlobInfo{}, errStoreUploadGone
		}
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
