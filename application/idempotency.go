package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// IdempotencyKeys stores Idempotency-Keys, one row per scope (org, user,
// key), so that any replica sees a key and keys survive a restart. Update
// and Delete are optimistic: they succeed only while the stored record
// has the record's Version, and otherwise return domain.ErrExists with
// code domain.CodeConcurrentUpdate. Every method returns
// domain.ErrUnavailable (wrapped) when the database cannot be reached.
type IdempotencyKeys interface {
	// Create inserts r (version 1) and returns it as stored. A record of
	// the same scope, in any state, expired or not, is domain.ErrExists.
	Create(ctx context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error)

	// Get returns the record of scope, expired or not; none is
	// domain.ErrNotFound.
	Get(ctx context.Context, scope domain.IdempotencyScope) (*domain.IdempotencyRecord, error)

	// Update saves r whole (see the optimistic rule above) and returns it
	// as stored, version advanced. A missing record is domain.ErrNotFound.
	Update(ctx context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error)

	// Delete removes r's row (see the optimistic rule above). A missing
	// record is domain.ErrNotFound.
	Delete(ctx context.Context, r *domain.IdempotencyRecord) error

	// DeleteExpired removes up to limit records that expired at or before
	// before and that no live claim holds (completed, or in progress with
	// a lease that ended at or before before), and returns how many. A
	// zero before or a limit below 1 is domain.ErrInvalid.
	DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error)
}

// IdempotencyOptions tune Idempotency-Keys. The zero value is usable.
type IdempotencyOptions struct {
	// TTL is how long a key and its answer are kept from its first
	// request. Default DefaultIdempotencyTTL (24 h).
	TTL time.Duration
	// Lease is how long an in-progress claim lasts without renewal; the
	// running request renews it every Lease/3, so a first request that
	// crashed frees its key after at most Lease. Default 30 s.
	Lease time.Duration
}

// DefaultIdempotencyTTL is how long keys live unless configured.
const DefaultIdempotencyTTL = 24 * time.Hour

func (o IdempotencyOptions) withDefaults() domain.IdempotencyTiming {
	if o.TTL <= 0 {
		o.TTL = DefaultIdempotencyTTL
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	return domain.IdempotencyTiming{TTL: o.TTL, Lease: o.Lease}
}

// Idempotency makes a change safe to retry: a request that carries an
// Idempotency-Key runs at most once per key (per org and user, within the
// TTL), and its retries get its first answer.
//
// Begin claims the key before the request runs. A fresh key (or one that
// expired, or whose first request stopped without an answer: its lease
// lapsed) is claimed and the request runs; its change stores the answer
// with the key in its own transaction when the inbound adapter gave the
// claim a renderer (RenderWith), and otherwise the adapter stores it
// after the request with the claim's Finish, or lets the key go with
// Release when the answer must not be replayed. A key whose first request
// is still running is refused (409 idempotency_key_in_progress). A
// completed key is handed back for Replay, which compares the retry's
// fingerprint with the first request's: the same request gets the stored
// answer, another one 422 idempotency_key_reused.
//
// Audit: a claimed request writes its own use case's event, Begin writes
// none; a refusal by Begin and every Replay (replayed or refused) writes
// the request's one event, with the route's action.
type Idempotency struct {
	keys   IdempotencyKeys
	audit  auditor
	clock  Clock
	timing domain.IdempotencyTiming
	report func(ctx context.Context, op string, err error)
}

// NewIdempotency assembles the Idempotency-Key use case over its key
// store and the audit trail (the same database as tx); opts.Idempotency
// and opts.OnBackgroundError apply.
func NewIdempotency(keys IdempotencyKeys, audit AuditLog, tx Transactor, clock Clock, opts Options) *Idempotency {
	report := opts.OnBackgroundError
	if report == nil {
		report = func(context.Context, string, error) {}
	}
	return &Idempotency{keys: keys, clock: clock, timing: opts.Idempotency.withDefaults(), report: report,
		audit: auditor{log: audit, tx: tx, clock: clock, report: report}}
}

// BeginIdempotentCommand is a request with an Idempotency-Key, before it
// runs.
type BeginIdempotentCommand struct {
	Caller    Caller
	Action    domain.Action // the audit action of the route
	Key       string        // as sent (ParseIdempotencyKey judges it)
	RequestID string
}

// IdempotentStart is what Begin decided: exactly one of Claim (run the
// request, then Finish or Release) and Stored (read the retry's body for
// its fingerprint, then Replay).
type IdempotentStart struct {
	Claim  *IdempotencyClaim
	Stored *domain.IdempotencyRecord
}

// maxClaimAttempts bounds Begin's retries when concurrent requests race
// for one key; each lost race means another request now holds it, so the
// next attempt sees it held.
const maxClaimAttempts = 4

// Begin claims cmd's key or finds its stored answer (see Idempotency).
func (u *Idempotency) Begin(ctx context.Context, cmd BeginIdempotentCommand) (IdempotentStart, error) {
	e := entry{action: cmd.Action, metadata: map[string]any{"idempotency": "refused"}}
	start, err := u.begin(ctx, cmd)
	if err != nil {
		return IdempotentStart{}, u.audit.finish(ctx, cmd.Caller, e, err, false)
	}
	return start, nil
}

func (u *Idempotency) begin(ctx context.Context, cmd BeginIdempotentCommand) (IdempotentStart, error) {
	key, err := domain.ParseIdempotencyKey(cmd.Key)
	if err != nil {
		return IdempotentStart{}, err
	}
	p := cmd.Caller.Principal
	scope := domain.IdempotencyScope{OrgID: p.OrgID, UserID: p.UserID, Key: key}
	owner := newID()
	for attempt := 0; ; attempt++ {
		now := u.clock.Now()
		rec, err := domain.NewIdempotencyClaim(scope, cmd.Action, cmd.RequestID, owner, now, u.timing)
		if err != nil {
			return IdempotentStart{}, err
		}
		saved, err := u.keys.Create(ctx, rec)
		if errors.Is(err, domain.ErrExists) {
			saved, err = u.retake(ctx, cmd, scope, owner, now)
		}
		switch {
		case err == nil && saved.Completed():
			return IdempotentStart{Stored: saved}, nil
		case err == nil:
			return IdempotentStart{Claim: u.hold(ctx, saved, owner)}, nil
		case (isConflict(err) || errors.Is(err, domain.ErrNotFound)) && attempt < maxClaimAttempts:
			continue // another request changed or removed the key meanwhile: look again
		}
		return IdempotentStart{}, err
	}
}

// retake handles a key that exists: completed and live (returned as is
// for Replay), running (refused), or expired or lapsed (claimed again).
func (u *Idempotency) retake(ctx context.Context, cmd BeginIdempotentCommand, scope domain.IdempotencyScope, owner string, now time.Time) (*domain.IdempotencyRecord, error) {
	cur, err := u.keys.Get(ctx, scope)
	if err != nil {
		return nil, err
	}
	if cur.Completed() && !cur.Expired(now) {
		return cur, nil
	}
	if err := cur.Reclaim(cmd.Action, cmd.RequestID, owner, now, u.timing); err != nil {
		return nil, err
	}
	return u.keys.Update(ctx, cur)
}

// Expire removes the keys that expired (the clean-up's step) and returns
// how many. Keys whose first request still runs are left to it.
func (u *Idempotency) Expire(ctx context.Context) (int64, error) {
	var n int64
	now := u.clock.Now()
	for {
		got, err := u.keys.DeleteExpired(ctx, now, cleanupPage)
		n += int64(got)
		if err != nil || got < cleanupPage || ctx.Err() != nil {
			return n, errors.Join(err, ctx.Err())
		}
	}
}
