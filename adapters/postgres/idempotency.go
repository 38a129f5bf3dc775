package postgres

import (
	"context"
	"fmt"
	"time"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/idempotencykey"
	"storagegw/ent/predicate"
)

var _ application.IdempotencyKeys = (*IdempotencyKeys)(nil)

// IdempotencyKeys is the application.IdempotencyKeys on the
// idempotency_keys table. Every method runs in the transaction ctx
// carries (DB.InTx), if any.
type IdempotencyKeys struct {
	db *DB
}

// NewIdempotencyKeys returns the key store of db.
func NewIdempotencyKeys(db *DB) *IdempotencyKeys { return &IdempotencyKeys{db: db} }

func (r *IdempotencyKeys) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

func scopeIs(s domain.IdempotencyScope) predicate.IdempotencyKey {
	return idempotencykey.And(idempotencykey.OrgID(s.OrgID), idempotencykey.UserID(s.UserID), idempotencykey.Key(s.Key))
}

// Create inserts rec with version 1; the unique index on (org, user, key)
// refuses a second row of a scope.
func (r *IdempotencyKeys) Create(ctx context.Context, rec *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) {
	d := normalizedKey(rec.Data())
	d.Version = 1
	_, err := r.c(ctx).IdempotencyKey.Create().
		SetOrgID(d.Scope.OrgID).SetUserID(d.Scope.UserID).SetKey(d.Scope.Key).
		SetAction(string(d.Action)).SetState(idempotencykey.State(d.State)).SetOwner(d.Owner).
		SetRequestID(d.RequestID).SetFingerprint(d.Fingerprint).
		SetStatus(d.Answer.Status).SetHeader(d.Answer.Header).SetBody(d.Answer.Body).
		SetFilePath(d.Outcome.FilePath).SetErrorCode(d.Outcome.ErrorCode).
		SetCreatedAt(d.CreatedAt).SetLeaseUntil(d.LeaseUntil).SetExpiresAt(d.ExpiresAt).
		SetVersion(d.Version).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: create idempotency key: %w", translate(err))
	}
	return domain.RehydrateIdempotencyRecord(d)
}

// Get returns the record of scope.
func (r *IdempotencyKeys) Get(ctx context.Context, scope domain.IdempotencyScope) (*domain.IdempotencyRecord, error) {
	row, err := r.c(ctx).IdempotencyKey.Query().Where(scopeIs(scope)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: get idempotency key: %w", translate(err))
	}
	return toKey(row)
}

// Update saves rec whole if the stored row still has rec's version.
func (r *IdempotencyKeys) Update(ctx context.Context, rec *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) {
	d := normalizedKey(rec.Data())
	n, err := r.c(ctx).IdempotencyKey.Update().
		Where(scopeIs(d.Scope), idempotencykey.Version(d.Version)).
		SetAction(string(d.Action)).SetState(idempotencykey.State(d.State)).SetOwner(d.Owner).
		SetRequestID(d.RequestID).SetFingerprint(d.Fingerprint).
		SetStatus(d.Answer.Status).SetHeader(d.Answer.Header).SetBody(d.Answer.Body).
		SetFilePath(d.Outcome.FilePath).SetErrorCode(d.Outcome.ErrorCode).
		SetCreatedAt(d.CreatedAt).SetLeaseUntil(d.LeaseUntil).SetExpiresAt(d.ExpiresAt).
		SetVersion(d.Version + 1).
		Save(ctx)
	if err == nil && n == 0 {
		err = r.conflict(ctx, d.Scope)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update idempotency key: %w", translate(err))
	}
	d.Version++
	return domain.RehydrateIdempotencyRecord(d)
}

// Delete removes rec's row if it still has rec's version.
func (r *IdempotencyKeys) Delete(ctx context.Context, rec *domain.IdempotencyRecord) error {
	n, err := r.c(ctx).IdempotencyKey.Delete().
		Where(scopeIs(rec.Scope()), idempotencykey.Version(rec.Version())).
		Exec(ctx)
	if err == nil && n == 0 {
		err = r.conflict(ctx, rec.Scope())
	}
	if err != nil {
		return fmt.Errorf("postgres: delete idempotency key: %w", translate(err))
	}
	return nil
}

// DeleteExpired removes up to limit expired rows no live claim holds,
// oldest expiry first.
func (r *IdempotencyKeys) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if before.IsZero() || limit < 1 {
		return 0, domain.Errorf(domain.ErrInvalid, "invalid_query", "A clean-up needs a time and a positive limit.")
	}
	t := dbTime(before)
	expired := idempotencykey.And(idempotencykey.ExpiresAtLTE(t),
		idempotencykey.Or(idempotencykey.StateEQ(idempotencykey.StateCompleted), idempotencykey.LeaseUntilLTE(t)))
	ids, err := r.c(ctx).IdempotencyKey.Query().Where(expired).
		Order(ent.Asc(idempotencykey.FieldExpiresAt)).Limit(limit).IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: list expired idempotency keys: %w", translate(err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// The condition again: a key claimed anew since the listing stays.
	n, err := r.c(ctx).IdempotencyKey.Delete().Where(idempotencykey.IDIn(ids...), expired).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired idempotency keys: %w", translate(err))
	}
	return n, nil
}

// conflict explains why a guarded write matched no row.
func (r *IdempotencyKeys) conflict(ctx context.Context, s domain.IdempotencyScope) error {
	exists, err := r.c(ctx).IdempotencyKey.Query().Where(scopeIs(s)).Exist(ctx)
	switch {
	case err != nil:
		return err
	case !exists:
		return domain.Errorf(domain.ErrNotFound, "not_found", "No such idempotency key.")
	}
	return domain.Errorf(domain.ErrExists, domain.CodeConcurrentUpdate,
		"The idempotency key was changed by another request; try again.")
}

// normalizedKey returns d with its times as they will be stored.
func normalizedKey(d domain.IdempotencyRecordData) domain.IdempotencyRecordData {
	d.CreatedAt, d.LeaseUntil, d.ExpiresAt = dbTime(d.CreatedAt), dbTime(d.LeaseUntil), dbTime(d.ExpiresAt)
	return d
}

// toKey rebuilds the domain record of a row.
func toKey(row *ent.IdempotencyKey) (*domain.IdempotencyRecord, error) {
	rec, err := domain.RehydrateIdempotencyRecord(domain.IdempotencyRecordData{
		Scope:  domain.IdempotencyScope{OrgID: row.OrgID, UserID: row.UserID, Key: row.Key},
		Action: domain.Action(row.Action), State: domain.IdempotencyState(row.State), Owner: row.Owner,
		RequestID: row.RequestID, Fingerprint: row.Fingerprint,
		Answer:    domain.IdempotentAnswer{Status: row.Status, Header: row.Header, Body: row.Body},
		Outcome:   domain.IdempotencyOutcome{FilePath: row.FilePath, ErrorCode: row.ErrorCode},
		CreatedAt: dbTime(row.CreatedAt), LeaseUntil: dbTime(row.LeaseUntil), ExpiresAt: dbTime(row.ExpiresAt),
		Version: row.Version,
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: stored idempotency key %d: %v", row.ID, err)
	}
	return rec, nil
}
