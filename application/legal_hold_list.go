package application

import (
	"context"

	"storagegw/domain"
)

// ListLegalHoldsQuery asks for the legal holds of the caller's org whose
// scope starts with Prefix (relative to the org; empty: all).
type ListLegalHoldsQuery struct {
	Caller Caller
	Prefix string
}

// ListLegalHolds lists the holds of the caller's org, for admins and
// auditors, in ascending order of scope, in one answer: holds are few (a
// hold is set by hand, for a case). It audits LEGAL_HOLD_QUERY; no list is
// answered unless its event was written.
type ListLegalHolds struct {
	*deps
}

// Handle lists the holds.
func (l *ListLegalHolds) Handle(ctx context.Context, q ListLegalHoldsQuery) ([]*domain.LegalHold, error) {
	e := entry{action: domain.ActionLegalHoldQuery, metadata: map[string]any{"prefix": q.Prefix}}
	out, err := l.run(ctx, q, &e)
	if err := l.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return nil, err
	}
	return out, nil
}

func (l *ListLegalHolds) run(ctx context.Context, q ListLegalHoldsQuery, e *entry) ([]*domain.LegalHold, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermReadHolds); err != nil {
		return nil, err
	}
	if err := domain.CheckListPrefix(p.OrgID, q.Prefix); err != nil {
		return nil, err
	}
	out, err := l.holds.List(ctx, p.OrgID, q.Prefix)
	if err != nil {
		return nil, err
	}
	e.metadata["count"] = len(out)
	return out, nil
}

// showHolds records on each of recs the hold that covers it (ShowLegalHold),
// for an answer: one lookup for one record, else one listing of the org's
// holds. recs are of orgID.
func (d *deps) showHolds(ctx context.Context, orgID string, recs ...*domain.FileRecord) error {
	if d.holds == nil || len(recs) == 0 {
		return nil
	}
	if len(recs) == 1 {
		h, err := d.holds.Covering(ctx, recs[0].Path())
		recs[0].ShowLegalHold(h)
		return err
	}
	holds, err := d.holds.List(ctx, orgID, "")
	if err != nil {
		return err
	}
	for _, rec := range recs {
		rec.ShowLegalHold(covering(holds, rec.Path()))
	}
	return nil
}

// covering is the hold of holds that covers p, a file's own first.
func covering(holds []*domain.LegalHold, p domain.StoragePath) *domain.LegalHold {
	var found *domain.LegalHold
	for _, h := range holds {
		if h.Covers(p) && (found == nil || !h.Scope().IsObject()) {
			found = h
		}
	}
	return found
}
