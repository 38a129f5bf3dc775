package application

import (
	"context"

	"storagegw/domain"
)

// AbortMultipartCommand asks to give up a multipart upload.
type AbortMultipartCommand struct {
	Caller   Caller
	UploadID string // the session's id
}

// AbortMultipart gives up a multipart upload: the store's upload and its
// parts are discarded, the path's reservation released and the session
// deleted, in one transaction with the MULTIPART_ABORT event. A session
// being completed cannot be aborted (domain.ErrExists, upload_closing)
// until the completing request's claim lapses (its process died). When the store cannot be reached the session stays,
// marked aborting: the abort may be retried, and the clean-up finishes it
// otherwise.
type AbortMultipart struct {
	*multipart
}

// Handle aborts the upload. It writes one MULTIPART_ABORT audit event.
func (u *AbortMultipart) Handle(ctx context.Context, cmd AbortMultipartCommand) error {
	e := entry{action: domain.ActionMultipartAbort, metadata: map[string]any{"upload_id": clipID(cmd.UploadID)}}
	err := u.run(ctx, cmd, &e)
	return u.audit.finish(ctx, cmd.Caller, e, err, false)
}

func (u *AbortMultipart) run(ctx context.Context, cmd AbortMultipartCommand, e *entry) error {
	store, s, err := u.open(ctx, cmd.Caller, cmd.UploadID, e)
	if err != nil {
		return err
	}
	if err := s.BeginAbort(u.clock.Now(), u.mopts.ClaimLease); err != nil {
		return err
	}
	if s, err = u.save(ctx, s); err != nil {
		return err
	}
	return u.discard(ctx, store, s, func(ctx context.Context, deleteSession func(context.Context) error) error {
		return u.audit.change(ctx, cmd.Caller, e, deleteSession)
	})
}
