package application

import (
	"context"
	"errors"

	"storagegw/domain"
)

// TusStatusCommand asks for the state of a TUS upload (HEAD).
type TusStatusCommand struct {
	Caller Caller
	ID     string
}

// TusStatus tells a client where a TUS upload stands: its offset, length,
// expiry and, once completed, the path of its file. An upload of another
// org or member (but an admin of its org), one that expired, and one
// whose session is gone without completing (aborted, cleaned up) are
// errNoUpload or upload_expired (404).
type TusStatus struct {
	*tus
}

// Handle returns the upload. It writes one TUS_STATUS event, without which
// it answers nothing (a read).
func (u *TusStatus) Handle(ctx context.Context, cmd TusStatusCommand) (*domain.TusUpload, error) {
	e := entry{action: domain.ActionTusStatus, metadata: map[string]any{"upload_id": clipID(cmd.ID)}}
	t, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, true); err != nil {
		return nil, err
	}
	return t, nil
}

func (u *TusStatus) run(ctx context.Context, cmd TusStatusCommand, e *entry) (*domain.TusUpload, error) {
	t, err := u.load(ctx, cmd.Caller, cmd.ID, e)
	if err != nil {
		return nil, err
	}
	if t.Expired(u.clock.Now()) {
		return nil, domain.Errorf(domain.ErrNotFound, "upload_expired", "The upload expired; start a new one.")
	}
	e.metadata["offset"], e.metadata["completed"] = t.Offset(), t.Completed()
	if !t.Completed() {
		if _, err := u.sessions.Get(ctx, t.ID()); errors.Is(err, domain.ErrNotFound) {
			return nil, errNoUpload()
		} else if err != nil {
			return nil, err
		}
	}
	return t, nil
}
