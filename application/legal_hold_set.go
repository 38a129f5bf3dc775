package application

import (
	"context"
	"errors"
	"strings"

	"storagegw/domain"
)

// SetLegalHoldCommand asks to put a legal hold on one file (FilePath, a
// full path of the caller's org) or on every file of one object (Prefix,
// "system/object_type/object_id/" relative to the org), with a reason.
// Exactly one of FilePath and Prefix is set.
type SetLegalHoldCommand struct {
	Caller   Caller
	FilePath string
	Prefix   string
	Reason   string
}

// SetLegalHold sets legal holds, for admins. The hold commits in one
// transaction with its LEGAL_HOLD_SET event. A hold on a file needs the
// file (visible or soft-deleted, so a soft-deleted file can be kept from
// the purge); a hold on an object needs nothing and also covers files
// uploaded under it later. Another org's path is not found; a second hold
// on the same scope is legal_hold_exists.
type SetLegalHold struct {
	*deps
}

// Admit refuses, before the request is read, a caller who may not set
// legal holds.
func (s *SetLegalHold) Admit(ctx context.Context, c Caller) error {
	return s.admit(ctx, c, domain.ActionLegalHoldSet, domain.PermLegalHold)
}

// Handle sets the hold and audits LEGAL_HOLD_SET (refusals too). It
// returns the hold as stored.
func (s *SetLegalHold) Handle(ctx context.Context, cmd SetLegalHoldCommand) (*domain.LegalHold, error) {
	e := entry{action: domain.ActionLegalHoldSet, metadata: map[string]any{}}
	h, err := s.run(ctx, cmd, &e)
	if err := s.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return h, nil
}

func (s *SetLegalHold) run(ctx context.Context, cmd SetLegalHoldCommand, e *entry) (*domain.LegalHold, error) {
	p := cmd.Caller.Principal
	if err := p.Authorize(domain.PermLegalHold); err != nil {
		return nil, err
	}
	scope, file, err := holdScope(p, cmd.FilePath, cmd.Prefix, e)
	if err != nil {
		return nil, err
	}
	h, err := domain.NewLegalHold(domain.LegalHoldData{ID: newID(), Scope: scope, Reason: cmd.Reason,
		SetBy: p.UserID, SetAt: s.clock.Now()})
	if err != nil {
		return nil, err
	}
	e.metadata["reason"] = h.Reason()
	var stored *domain.LegalHold
	err = s.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) error {
		if !file.IsZero() {
			rec, err := s.load(ctx, file)
			if err != nil {
				return err
			}
			if rec.State() != domain.StateActive {
				return notFound() // pending or purged: nothing to keep
			}
		}
		var err error
		if stored, err = s.holds.Set(ctx, h); errors.Is(err, domain.ErrExists) {
			return domain.Errorf(domain.ErrExists, domain.CodeLegalHoldExists,
				"A legal hold on %s stands already; clear it first to set it again with another reason.", scope.Relative())
		}
		e.result = stored
		return err
	})
	return stored, err
}

// holdScope parses the scope a caller names: a file path of the caller's
// org (file is then that path) or an object prefix relative to it, one of
// the two. It records the scope in e.
func holdScope(p domain.Principal, filePath, prefix string, e *entry) (scope domain.HoldScope, file domain.StoragePath, err error) {
	switch {
	case (filePath == "") == (prefix == ""):
		return scope, file, domain.Errorf(domain.ErrInvalid, "invalid_legal_hold",
			"Name what the hold covers with exactly one of file_path (one file) or prefix (one object, e.g. \"accounting/invoice/inv-42/\").")
	case filePath != "":
		if file, err = parseOwn(p, filePath, e); err != nil {
			return scope, file, err
		}
		scope = domain.FileHoldScope(file)
	default:
		e.metadata["prefix"] = prefix
		if scope, err = domain.ParseObjectHoldScope(p.OrgID, prefix); err != nil {
			return scope, file, err
		}
		e.objType, e.objID = holdObject(scope)
	}
	e.metadata["scope"], e.metadata["scope_kind"] = scope.Relative(), scope.Kind()
	return scope, file, nil
}

// holdObject is the object type and id an object scope names.
func holdObject(s domain.HoldScope) (objType, objID string) {
	segs := strings.Split(s.Relative(), "/")
	if len(segs) < 3 {
		return "", ""
	}
	return segs[1], segs[2]
}
