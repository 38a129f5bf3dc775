package application

import (
	"context"

	"storagegw/domain"
)

// IdempotentReply is a claimed request's answer as a retry will get it:
// the request's fingerprint, the answer, and what it concerned.
type IdempotentReply struct {
	Fingerprint string
	Answer      domain.IdempotentAnswer
	Outcome     domain.IdempotencyOutcome
}

// IdempotentRenderer builds, in the transaction of a change the claimed
// request commits, the answer that request will get from the change's
// result: the value the use case committed and returns (a
// *domain.FileRecord for an upload, a multipart complete, a delete or a
// restore; a *domain.UploadSession for a multipart initiate; a
// *domain.TusUpload for a TUS creation, a TusPatchResult for a TUS
// creation-with-upload (the upload after its body, and the file when the
// body completed it); a RevokedLink or RevokedFileLinks for a link
// revocation; nil for a multipart abort). It must not write anything. false: the answer is not known yet
// (another result, a body not read to its end); the key is then only
// marked applied, and the answer kept after the request (Finish).
type IdempotentRenderer func(result any) (IdempotentReply, bool)

// RenderWith makes the changes of the claimed request store its answer,
// built by r, in their own transaction (see applyClaim), so that a crash
// after the commit still leaves retries the first answer. The inbound
// adapter calls it before running the use case; the answer it then gives
// must be the one r builds (one encoder for both).
func (c *IdempotencyClaim) RenderWith(r IdempotentRenderer) {
	c.mu.Lock()
	c.render = r
	c.mu.Unlock()
}

// claimKey carries the claim of the request running under a context.
type claimKey struct{}

// WithIdempotencyClaim runs a claimed request's use case under ctx: the
// change it commits (auditor.change) then marks the key applied, or
// completed with its answer (RenderWith), in the same transaction (see
// IdempotencyRecord.Apply and CompleteInChange), so that a crash between
// the change and Finish cannot let a retry change things twice.
func WithIdempotencyClaim(ctx context.Context, c *IdempotencyClaim) context.Context {
	if c == nil {
		return ctx
	}
	return context.WithValue(ctx, claimKey{}, c)
}

// applyClaim marks the claim of ctx's request, if any, applied, or
// completed with the answer its renderer builds from result; ctx is the
// change's transaction, so a key or answer that cannot be written fails
// the change. A claim lost meanwhile (its lease lapsed and another
// request took the key) fails the change: that request runs it.
func applyClaim(ctx context.Context, result any) error {
	c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	render := c.render
	c.mu.Unlock()
	var reply IdempotentReply
	answered := false
	if render != nil {
		reply, answered = render(result)
	}
	for attempt := 0; ; attempt++ {
		cur, err := c.u.keys.Get(ctx, c.sc)
		if isNotFound(err) {
			return domain.InProgressError()
		}
		if err != nil {
			return err
		}
		if answered {
			err = cur.CompleteInChange(c.owner, reply.Fingerprint, reply.Answer, reply.Outcome)
		} else {
			err = cur.Apply(c.owner)
		}
		if err != nil {
			return domain.InProgressError()
		}
		_, err = c.u.keys.Update(ctx, cur)
		if isConflict(err) && attempt < maxAttempts {
			continue // a renewal raced this update: read the key again
		}
		return err
	}
}
