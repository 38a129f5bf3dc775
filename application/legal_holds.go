package application

import (
	"context"

	"storagegw/domain"
)

// LegalHolds persists legal holds (domain.LegalHold), one per org and
// scope. Every method runs inside the transaction ctx carries, if any (see
// Transactor), so a check made in a change's transaction sees a hold set
// before it commits and a hold set after waits for it or retries. Every
// method returns domain.ErrUnavailable (wrapped) when the database cannot
// be reached.
type LegalHolds interface {
	// Set stores h and returns it as stored. A hold with the same scope
	// already standing is domain.ErrExists.
	Set(ctx context.Context, h *domain.LegalHold) (*domain.LegalHold, error)

	// Clear removes the hold on scope and returns it as it stood. None is
	// domain.ErrNotFound.
	Clear(ctx context.Context, scope domain.HoldScope) (*domain.LegalHold, error)

	// Covering returns a hold that covers path (a hold on the file, or on
	// its object's prefix), or nil and no error when none does. Inside a
	// transaction it locks what it read so that a concurrent Set of a
	// covering hold cannot commit between the check and the change.
	Covering(ctx context.Context, path domain.StoragePath) (*domain.LegalHold, error)

	// List returns the holds of orgID whose scope starts with prefix
	// (relative to the org), in ascending order of scope.
	List(ctx context.Context, orgID, prefix string) ([]*domain.LegalHold, error)
}

// HeldBy is the one check every destroying change makes (hard delete,
// purge of a record, purge of a previous version, an overwrite deciding
// whether to keep the old content): the hold that keeps path, or nil when
// none does. holds may be nil (no hold can stand). Call it inside the
// change's transaction, with the transaction's ctx.
func HeldBy(ctx context.Context, holds LegalHolds, path domain.StoragePath) (*domain.LegalHold, error) {
	if holds == nil {
		return nil, nil
	}
	return holds.Covering(ctx, path)
}

// EnableLegalHolds makes the application keep legal holds in holds (which
// must share the Transactor's database): admins set and clear them
// (SetLegalHold, ClearLegalHold), admins and auditors list them
// (ListLegalHolds), every destroying change checks them (HeldBy) and the
// answers that show a record show the hold that covers it.
func (a *Application) EnableLegalHolds(holds LegalHolds) {
	d := a.Delete.deps
	d.holds = holds
	a.SetLegalHold = &SetLegalHold{deps: d}
	a.ClearLegalHold = &ClearLegalHold{deps: d}
	a.ListLegalHolds = &ListLegalHolds{deps: d}
}
