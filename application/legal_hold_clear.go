package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// ClearLegalHoldCommand asks to clear the legal hold on one file or one
// object, named as SetLegalHoldCommand names it.
type ClearLegalHoldCommand struct {
	Caller   Caller
	FilePath string
	Prefix   string
}

// ClearLegalHold clears legal holds, for admins. The removal commits in one
// transaction with its LEGAL_HOLD_CLEARED event, which keeps the cleared
// hold's reason, setter and time. A scope no hold stands on is
// legal_hold_not_found; another org's path is not found.
type ClearLegalHold struct {
	*deps
}

// Admit refuses, before the request is read, a caller who may not clear
// legal holds.
func (c *ClearLegalHold) Admit(ctx context.Context, caller Caller) error {
	return c.admit(ctx, caller, domain.ActionLegalHoldCleared, domain.PermLegalHold)
}

// Handle clears the hold and audits LEGAL_HOLD_CLEARED (refusals too). It
// returns the hold as it stood.
func (c *ClearLegalHold) Handle(ctx context.Context, cmd ClearLegalHoldCommand) (*domain.LegalHold, error) {
	e := entry{action: domain.ActionLegalHoldCleared, metadata: map[string]any{}}
	h, err := c.run(ctx, cmd, &e)
	if err := c.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return h, nil
}

func (c *ClearLegalHold) run(ctx context.Context, cmd ClearLegalHoldCommand, e *entry) (*domain.LegalHold, error) {
	p := cmd.Caller.Principal
	if err := p.Authorize(domain.PermLegalHold); err != nil {
		return nil, err
	}
	scope, _, err := holdScope(p, cmd.FilePath, cmd.Prefix, e)
	if err != nil {
		return nil, err
	}
	var cleared *domain.LegalHold
	err = c.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) error {
		var err error
		if cleared, err = c.holds.Clear(ctx, scope); errors.Is(err, domain.ErrNotFound) {
			return domain.Errorf(domain.ErrNotFound, domain.CodeLegalHoldNotFound,
				"No legal hold stands on %s; list the holds (GET /api/storage/legal-holds) to see which do.", scope.Relative())
		}
		if err != nil {
			return err
		}
		e.metadata["reason"], e.metadata["set_by"] = cleared.Reason(), cleared.SetBy()
		e.metadata["set_at"] = cleared.SetAt().UTC().Format(time.RFC3339Nano)
		e.result = cleared
		return nil
	})
	return cleared, err
}
