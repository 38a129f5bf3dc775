package memrepo

import (
	"context"
	"time"

	"storagegw/domain"
)

// The fake keeps no usage of its own: it counts its rows (records and
// versions) whenever asked,
// which is what the database adapters' kept usage must always equal.

// OrgUsage implements application.FileRepository. Transactions of a
// Transactor take turns, which holds org's usage as the port asks.
func (f *Files) OrgUsage(_ context.Context, org string, now time.Time) (used, inflight domain.Usage, err error) {
	if org == "" {
		return used, inflight, domain.Errorf(domain.ErrInvalid, "invalid_usage_query", "A usage query needs an org.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.rows {
		if d.Path.OrgID() != org {
			continue
		}
		rec, err := domain.RehydrateFileRecord(d)
		if err != nil {
			return used, inflight, err
		}
		used, inflight = used.Plus(rec.Usage()), inflight.Plus(rec.Claim(now))
	}
	f.versionUsage(org, func(_ domain.StoragePath, u domain.Usage) { used = used.Plus(u) })
	return used, inflight, nil
}

// Usage implements application.FileRepository.
func (f *Files) Usage(_ context.Context, org string) ([]domain.UsageEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	type key struct {
		org string
		sys domain.System
		typ domain.ObjectType
	}
	sums := map[key]domain.Usage{}
	for _, d := range f.rows {
		if org != "" && d.Path.OrgID() != org {
			continue
		}
		rec, err := domain.RehydrateFileRecord(d)
		if err != nil {
			return nil, err
		}
		if u := rec.Usage(); !u.IsZero() {
			k := key{d.Path.OrgID(), d.Path.System(), d.Path.ObjectType()}
			sums[k] = sums[k].Plus(u)
		}
	}
	f.versionUsage(org, func(p domain.StoragePath, u domain.Usage) {
		k := key{p.OrgID(), p.System(), p.ObjectType()}
		sums[k] = sums[k].Plus(u)
	})
	out := make([]domain.UsageEntry, 0, len(sums))
	for k, u := range sums {
		out = append(out, domain.UsageEntry{OrgID: k.org, System: k.sys, ObjectType: k.typ, Usage: u})
	}
	domain.SortUsage(out)
	return out, nil
}

// RecountUsage implements application.FileRepository: the fake's usage is
// always a count, so there is nothing to fix.
func (f *Files) RecountUsage(ctx context.Context, org string, _ bool) ([]domain.UsageEntry, error) {
	return f.Usage(ctx, org)
}
