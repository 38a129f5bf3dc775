package memrepo

import (
	"context"
	"sort"
	"strings"
	"sync"

	"storagegw/application"
	"storagegw/domain"
)

// LegalHolds is an in-memory application.LegalHolds, keyed by scope.
// Transactions of a Transactor take turns, so a Covering checked inside
// one cannot miss a Set made by another.
type LegalHolds struct {
	mu   sync.Mutex
	rows map[string]domain.LegalHoldData
}

var _ application.LegalHolds = (*LegalHolds)(nil)

// NewLegalHolds returns an empty hold store.
func NewLegalHolds() *LegalHolds { return &LegalHolds{rows: map[string]domain.LegalHoldData{}} }

// Set implements application.LegalHolds.
func (r *LegalHolds) Set(ctx context.Context, h *domain.LegalHold) (*domain.LegalHold, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := h.Data()
	key := d.Scope.String()
	if _, ok := r.rows[key]; ok {
		return nil, domain.Errorf(domain.ErrExists, "already_exists", "A legal hold on %s stands already.", d.Scope.Relative())
	}
	d.SetAt = micro(d.SetAt)
	r.rows[key] = d
	onRollback(ctx, func() { r.mu.Lock(); delete(r.rows, key); r.mu.Unlock() })
	return domain.RehydrateLegalHold(d), nil
}

// Clear implements application.LegalHolds.
func (r *LegalHolds) Clear(ctx context.Context, scope domain.HoldScope) (*domain.LegalHold, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.rows[scope.String()]
	if !ok {
		return nil, domain.Errorf(domain.ErrNotFound, "not_found", "No legal hold on %s.", scope.Relative())
	}
	delete(r.rows, scope.String())
	onRollback(ctx, func() { r.mu.Lock(); r.rows[d.Scope.String()] = d; r.mu.Unlock() })
	return domain.RehydrateLegalHold(d), nil
}

// Covering implements application.LegalHolds: the file's own hold first,
// then its object's.
func (r *LegalHolds) Covering(_ context.Context, path domain.StoragePath) (*domain.LegalHold, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.sorted(path.OrgID(), "") {
		if d.Scope.Covers(path) && !d.Scope.IsObject() {
			return domain.RehydrateLegalHold(d), nil
		}
	}
	for _, d := range r.sorted(path.OrgID(), "") {
		if d.Scope.Covers(path) {
			return domain.RehydrateLegalHold(d), nil
		}
	}
	return nil, nil
}

// List implements application.LegalHolds.
func (r *LegalHolds) List(_ context.Context, orgID, prefix string) ([]*domain.LegalHold, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*domain.LegalHold
	for _, d := range r.sorted(orgID, prefix) {
		out = append(out, domain.RehydrateLegalHold(d))
	}
	return out, nil
}

// sorted is orgID's holds whose relative scope starts with prefix, by scope.
func (r *LegalHolds) sorted(orgID, prefix string) []domain.LegalHoldData {
	var out []domain.LegalHoldData
	for _, d := range r.rows {
		if d.Scope.OrgID() == orgID && strings.HasPrefix(d.Scope.Relative(), prefix) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scope.String() < out[j].Scope.String() })
	return out
}
