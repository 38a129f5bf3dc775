package postgres

import (
	"context"
	"fmt"
	"time"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/legalhold"
)

var _ application.LegalHolds = (*LegalHolds)(nil)

// holdLockClass is the first key of the transaction-scoped advisory locks
// of legal holds, (holdLockClass, hashtext(org_id)) per org: two 32-bit
// keys, a space apart from the single 64-bit keys of the other locks.
const holdLockClass = int32(0x686f6c64) // "hold"

// LegalHolds is the application.LegalHolds on the legal_holds table. Every
// method runs in the transaction ctx carries (DB.InTx), if any.
//
// A hold set while a destroying change of a file it covers runs (a hard
// delete, a purge, an overwrite that decides whether to keep the old
// content) must either be seen by that change or commit after it. On
// SQLite every transaction takes the database's write lock when it
// begins, so transactions are serial and nothing more is needed. On
// PostgreSQL (READ COMMITTED, several replicas) rows alone cannot do it:
// the change reads that no hold exists, and a new row is not locked by
// anything the change read. So the org's holds are guarded by an advisory
// lock per org: Covering, inside a transaction, first takes it shared
// (held until the transaction ends) and only then, in a statement of its
// own, reads the holds, so it sees every hold committed before it got the
// lock; Set takes it exclusive, so it waits until every transaction of
// the org that checked holds has ended. Set never queues for the lock: a
// queued exclusive request would make every later shared request wait
// behind it, and a change that holds a row lock another change waits for
// could then close a cycle. It tries, and tries again with a growing
// pause until the transaction's deadline; changes in flight finish within
// one operation timeout. Clear needs no lock: a change that still sees the
// hold is refused, which is safe.
type LegalHolds struct {
	db *DB
}

// NewLegalHolds returns the hold store of db.
func NewLegalHolds(db *DB) *LegalHolds { return &LegalHolds{db: db} }

func (r *LegalHolds) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

func (r *LegalHolds) pgTx(ctx context.Context) bool {
	return r.db.dialect == DialectPostgres && r.db.inTx(ctx)
}

// Set inserts h; the unique index on (org_id, scope) refuses a second hold
// on one scope (domain.ErrExists). On PostgreSQL inside a transaction it
// first takes the org's hold lock exclusive (see LegalHolds).
func (r *LegalHolds) Set(ctx context.Context, h *domain.LegalHold) (*domain.LegalHold, error) {
	d := h.Data()
	if r.pgTx(ctx) {
		if err := r.lockExclusive(ctx, d.Scope.OrgID()); err != nil {
			return nil, err
		}
	}
	row, err := r.c(ctx).LegalHold.Create().
		SetHoldID(d.ID).SetOrgID(d.Scope.OrgID()).SetScope(d.Scope.String()).SetKind(d.Scope.Kind()).
		SetReason(d.Reason).SetSetBy(d.SetBy).SetSetAt(dbTime(d.SetAt)).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: set legal hold: %w", translate(err))
	}
	return toHold(row), nil
}

// lockExclusive takes org's hold lock exclusive for the transaction
// without ever queuing for it (see LegalHolds).
func (r *LegalHolds) lockExclusive(ctx context.Context, org string) error {
	pause := 5 * time.Millisecond
	for {
		rows, err := r.c(ctx).QueryContext(ctx, "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", holdLockClass, org)
		if err != nil {
			return fmt.Errorf("postgres: lock legal holds: %w", translate(err))
		}
		var got bool
		if rows.Next() {
			err = rows.Scan(&got)
		}
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("postgres: lock legal holds: %w", translate(err))
		}
		if got {
			return nil
		}
		select {
		case <-ctx.Done():
			return domain.Wrap(domain.ErrUnavailable, domain.CodeDatabaseUnavailable,
				"Changes to this organisation's files kept the legal holds busy; try again.", ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// Clear deletes the hold on scope and returns it as it stood.
func (r *LegalHolds) Clear(ctx context.Context, scope domain.HoldScope) (*domain.LegalHold, error) {
	row, err := r.c(ctx).LegalHold.Query().
		Where(legalhold.OrgID(scope.OrgID()), legalhold.Scope(scope.String())).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, domain.Wrap(domain.ErrNotFound, "not_found", "No such legal hold.", err)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: read legal hold: %w", translate(err))
	}
	n, err := r.c(ctx).LegalHold.Delete().Where(legalhold.ID(row.ID)).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: clear legal hold: %w", translate(err))
	}
	if n == 0 { // cleared concurrently
		return nil, domain.Errorf(domain.ErrNotFound, "not_found", "No such legal hold.")
	}
	return toHold(row), nil
}

// Covering returns the hold on path's file, else the hold on its object,
// else nil. On PostgreSQL inside a transaction it first takes the org's
// hold lock shared, in a statement of its own (see LegalHolds).
func (r *LegalHolds) Covering(ctx context.Context, path domain.StoragePath) (*domain.LegalHold, error) {
	if r.pgTx(ctx) {
		if _, err := r.c(ctx).ExecContext(ctx, "SELECT pg_advisory_xact_lock_shared($1, hashtext($2))", holdLockClass, path.OrgID()); err != nil {
			return nil, fmt.Errorf("postgres: lock legal holds: %w", translate(err))
		}
	}
	scopes := []string{domain.FileHoldScope(path).String(), domain.ObjectHoldScopeOf(path).String()}
	// "file" sorts before "object": the file's own hold first.
	rows, err := r.c(ctx).LegalHold.Query().
		Where(legalhold.OrgID(path.OrgID()), legalhold.ScopeIn(scopes...)).
		Order(ent.Asc(legalhold.FieldKind)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: read legal holds: %w", translate(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return toHold(rows[0]), nil
}

// List returns orgID's holds whose relative scope starts with prefix, by
// scope, bytewise; the prefix is a range, as in FileRepo.List, so '_' and
// '%' are never wildcards.
func (r *LegalHolds) List(ctx context.Context, orgID, prefix string) ([]*domain.LegalHold, error) {
	full := orgID + "/" + prefix
	upper, ok := successor(full)
	if !ok {
		return nil, nil
	}
	rows, err := r.c(ctx).LegalHold.Query().
		Where(legalhold.OrgID(orgID), legalhold.ScopeGTE(full), legalhold.ScopeLT(upper)).
		Order(ent.Asc(legalhold.FieldScope)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list legal holds: %w", translate(err))
	}
	out := make([]*domain.LegalHold, 0, len(rows))
	for _, row := range rows {
		out = append(out, toHold(row))
	}
	return out, nil
}

func toHold(row *ent.LegalHold) *domain.LegalHold {
	return domain.RehydrateLegalHold(domain.LegalHoldData{ID: row.HoldID,
		Scope:  domain.RehydrateHoldScope(row.OrgID, row.Scope, row.Kind == "object"),
		Reason: row.Reason, SetBy: row.SetBy, SetAt: dbTime(row.SetAt)})
}
