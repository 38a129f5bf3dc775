package application

import (
	"context"
	"errors"

	"storagegw/domain"
)

// ListPartsCommand asks which parts of a session the store holds.
type ListPartsCommand struct {
	Caller   Caller
	UploadID string // the session's id
}

// UploadedParts is a session with the parts its store upload holds.
type UploadedParts struct {
	Session *domain.UploadSession
	Parts   []domain.StoredPart // ascending by number
}

// ListUploadedParts reads the parts of an open session from the store
// itself, not from anything a client kept, so a client on any device, or
// after a crash, can resume the upload through any replica: it sends
// only the parts missing, and completes with the ETags listed.
type ListUploadedParts struct {
	*multipart
}

// Handle returns the session and its parts. It writes one
// MULTIPART_LIST_PARTS audit event.
func (u *ListUploadedParts) Handle(ctx context.Context, cmd ListPartsCommand) (UploadedParts, error) {
	e := entry{action: domain.ActionMultipartListParts, metadata: map[string]any{"upload_id": clipID(cmd.UploadID)}}
	out, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, true); err != nil {
		return UploadedParts{}, err
	}
	return out, nil
}

func (u *ListUploadedParts) run(ctx context.Context, cmd ListPartsCommand, e *entry) (UploadedParts, error) {
	store, s, err := u.open(ctx, cmd.Caller, cmd.UploadID, e)
	if err != nil {
		return UploadedParts{}, err
	}
	if err := s.CheckOpen(u.clock.Now()); err != nil {
		return UploadedParts{}, err
	}
	parts, err := store.ListParts(ctx, s.BlobKey(), s.StoreUploadID())
	if errors.Is(err, domain.ErrNotFound) {
		return UploadedParts{}, errNoUpload()
	}
	if err != nil {
		return UploadedParts{}, err
	}
	e.metadata["parts"] = len(parts)
	return UploadedParts{Session: s, Parts: parts}, nil
}
