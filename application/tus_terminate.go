package application

import (
	"context"

	"storagegw/domain"
)

// TusTerminateCommand asks to give up a TUS upload (DELETE).
type TusTerminateCommand struct {
	Caller Caller
	ID     string
}

// TusTerminate gives up a TUS upload: under its lease, it is
// AbortMultipart (the store's upload and parts discarded, the reservation
// released, the session deleted with the MULTIPART_ABORT event), and then
// the upload's segments and TUS state are removed. A completed upload
// cannot be terminated (domain.ErrExists, upload_completed): its file is
// deleted through the API's delete.
type TusTerminate struct {
	*tus
}

// Handle terminates the upload. It writes one MULTIPART_ABORT event.
func (u *TusTerminate) Handle(ctx context.Context, cmd TusTerminateCommand) error {
	e := entry{action: domain.ActionMultipartAbort, metadata: map[string]any{"upload_id": clipID(cmd.ID), "protocol": "tus"}}
	err := u.run(ctx, cmd, &e)
	return u.audit.finish(ctx, cmd.Caller, e, err, false)
}

func (u *TusTerminate) run(ctx context.Context, cmd TusTerminateCommand, e *entry) error {
	t, err := u.load(ctx, cmd.Caller, cmd.ID, e)
	if err != nil {
		return err
	}
	if t.Completed() {
		return domain.Errorf(domain.ErrExists, "upload_completed",
			"The upload is complete; delete its file through /api/storage/delete.")
	}
	locked, err := u.lock(ctx, t, u.clock.Now())
	if err != nil {
		return err
	}
	if err := u.abort.run(ctx, AbortMultipartCommand{Caller: cmd.Caller, UploadID: t.ID()}, e); err != nil {
		u.unlock(ctx, locked)
		return err
	}
	u.forget(ctx, locked, segmentKeys(locked))
	return nil
}
