package application

import (
	"context"

	"storagegw/domain"
)

// ReplayCommand is a retry of a completed key: Begin's Stored record and
// the retry's own fingerprint, formed as the first request's was. BodyErr
// is set when the retry's body could not be read to its end (no
// fingerprint then): the request is refused with it.
type ReplayCommand struct {
	Caller      Caller
	Action      domain.Action
	Stored      *domain.IdempotencyRecord
	Fingerprint string
	RequestID   string
	BodyErr     error
}

// Replay answers a retry with the first answer when it is the same
// request, and refuses it (422 idempotency_key_reused) otherwise; nothing
// is changed either way. It writes the request's one audit event: the
// route's action and the first request's path, with metadata
// {"idempotent_replay": true, "original_request_id", "replayed_status"};
// a replayed refusal is an event with success=false and the first
// refusal's code. Like a read, a replay is not answered without its event.
func (u *Idempotency) Replay(ctx context.Context, cmd ReplayCommand) (domain.IdempotentAnswer, error) {
	rec := cmd.Stored
	out := rec.Outcome()
	e := entry{action: cmd.Action, path: out.FilePath, metadata: map[string]any{
		"idempotent_replay": true, "original_request_id": rec.RequestID()}}
	if p, err := domain.ParseStoragePath(out.FilePath); err == nil {
		e.forPath(p)
	}
	err := cmd.BodyErr
	if err == nil {
		err = rec.Match(cmd.Fingerprint)
	}
	if err != nil {
		e.metadata["idempotent_replay"] = false
		return domain.IdempotentAnswer{}, u.audit.finish(ctx, cmd.Caller, e, err, false)
	}
	answer := rec.Answer()
	e.metadata["replayed_status"] = answer.Status
	var replayed error // the event of a replayed refusal says what was refused
	if out.ErrorCode != "" {
		replayed = domain.Errorf(domain.ErrInvalid, out.ErrorCode, "The first request with this Idempotency-Key was refused; its answer was replayed.")
	}
	if err := u.audit.finish(ctx, cmd.Caller, e, replayed, true); err != nil && err != replayed {
		return domain.IdempotentAnswer{}, err
	}
	return answer, nil
}
