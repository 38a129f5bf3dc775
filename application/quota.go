package application

import (
	"context"
	"errors"
	"io"
	"math"

	"storagegw/domain"
)

// Quotas. An upload's path is reserved only if its declared size (the
// form's Content-Length, a multipart or TUS length; at least one byte when
// unknown) fits its org's quota beside what the org uses and what the
// reservations of its other uploads in flight claim, checked and reserved
// in one transaction holding the org's usage (FileRepository.OrgUsage),
// so concurrent uploads on any replica cannot claim more than the quota
// between them. The reservation then claims its declared size until it
// commits, is released or lapses. While the bytes stream, a body larger
// than what was left is cut with the same error; and the commit checks
// the exact size once more in its transaction, so an upload that
// declared nothing (a chunked body) cannot take the org over either.

// allowance is what a reservation found of its org's quota.
type allowance struct {
	org      string
	quota    domain.Quota
	used     domain.Usage // what the org used when the path was reserved
	inflight domain.Usage // what other uploads in flight claimed then
	replaced domain.Usage // what the record held before (an overwrite)
}

// unlimited is the allowance of an org without a quota.
func unlimited(org string) allowance { return allowance{org: org} }

// fits checks that an upload adding bytes (and a file, unless it replaces
// one) fits the allowance.
func (a allowance) fits(bytes int64) error {
	add := domain.Usage{Bytes: bytes, Files: 1}.Minus(a.replaced)
	return a.quota.Fits(a.org, a.used, a.inflight, add)
}

// limit bounds r by what the allowance leaves for the file's bytes: more
// is domain.ErrTooLarge (quota_exceeded), while streaming.
func (a allowance) limit(r io.Reader) io.Reader {
	left := a.quota.Remaining(a.used, a.inflight)
	if left == math.MaxInt64 {
		return r
	}
	if left > math.MaxInt64-a.replaced.Bytes {
		return r
	}
	return &quotaReader{r: r, left: left + a.replaced.Bytes, a: a}
}

// quotaReader fails once more than left bytes were read.
type quotaReader struct {
	r    io.Reader
	left int64
	n    int64
	a    allowance
}

func (q *quotaReader) Read(p []byte) (int, error) {
	if int64(len(p)) > q.left-q.n+1 {
		p = p[:q.left-q.n+1]
	}
	n, err := q.r.Read(p)
	q.n += int64(n)
	if q.n > q.left {
		return 0, q.a.fits(q.n)
	}
	return n, err
}

// precheckQuota refuses, before a byte of the body is read, a declared
// size that does not fit path's org's quota even now. It holds nothing:
// reserve checks again, atomically with the reservation.
func (d *deps) precheckQuota(ctx context.Context, path domain.StoragePath, declared int64) error {
	org := path.OrgID()
	a := allowance{org: org, quota: d.opts.Quotas.For(org)}
	if a.quota.Unlimited() {
		return nil
	}
	var err error
	if a.used, a.inflight, err = d.files.OrgUsage(ctx, org, d.clock.Now()); err != nil {
		return err
	}
	rec, err := d.files.Get(ctx, path)
	switch {
	case err == nil && !d.versionedKind(path):
		a.replaced = rec.Usage() // freed, unless kept as a version
	case err != nil && !errors.Is(err, domain.ErrNotFound):
		return err
	}
	return a.fits(declared)
}

// checkQuotaAtCommit reserves nothing; it checks, in the transaction of ctx,
// that committing rec (its content just set, not yet saved) keeps its org
// within its quota: the exact new size against what the org uses now.
func (d *deps) checkQuotaAtCommit(ctx context.Context, rec *domain.FileRecord) error {
	org := rec.Path().OrgID()
	q := d.opts.Quotas.For(org)
	if q.Unlimited() {
		return nil
	}
	used, _, err := d.files.OrgUsage(ctx, org, d.clock.Now())
	if err != nil {
		return err
	}
	return q.Fits(org, used, domain.Usage{}, rec.Usage().Minus(rec.StoredUsage()))
}

// UsageReport is an org's usage per system and object type, its total
// and its quota.
type UsageReport struct {
	OrgID    string
	Entries  []domain.UsageEntry
	Total    domain.Usage
	InFlight domain.Usage // what uploads in progress have reserved
	Quota    domain.Quota
}

// GetUsage reads the caller's org's storage usage.
type GetUsage struct {
	*deps
}

// Handle returns the usage of the caller's org. It writes one USAGE_QUERY
// event; admins and auditors may read it.
func (g *GetUsage) Handle(ctx context.Context, c Caller) (UsageReport, error) {
	e := entry{action: domain.ActionUsageQuery, metadata: map[string]any{}}
	r, err := g.run(ctx, c)
	if err == nil {
		e.metadata["bytes"], e.metadata["files"] = r.Total.Bytes, r.Total.Files
	}
	if err := g.audit.finish(ctx, c, e, err, true); err != nil {
		return UsageReport{}, err
	}
	return r, nil
}

func (g *GetUsage) run(ctx context.Context, c Caller) (UsageReport, error) {
	p := c.Principal
	if err := p.Authorize(domain.PermReadUsage); err != nil {
		return UsageReport{}, err
	}
	entries, err := g.files.Usage(ctx, p.OrgID)
	if err != nil {
		return UsageReport{}, err
	}
	used, inflight, err := g.files.OrgUsage(ctx, p.OrgID, g.clock.Now())
	if err != nil {
		return UsageReport{}, err
	}
	return UsageReport{OrgID: p.OrgID, Entries: entries, Total: used, InFlight: inflight, Quota: g.opts.Quotas.For(p.OrgID)}, nil
}

// RecountUsage compares the kept usage with a recount of the records, for
// operators (storagegw usage recount).
type RecountUsage struct {
	*deps
}

// UsageDrift is one org, system and object type whose kept usage differs
// from the recount.
type UsageDrift struct {
	OrgID      string
	System     domain.System
	ObjectType domain.ObjectType
	Kept       domain.Usage
	Counted    domain.Usage
}

// Handle recounts org's usage (every org when empty) and returns where it
// drifted from the kept usage; with fix the kept usage is set to the
// recount (and the drift returned is what was fixed).
func (r *RecountUsage) Handle(ctx context.Context, org string, fix bool) ([]UsageDrift, error) {
	kept, err := r.files.Usage(ctx, org)
	if err != nil {
		return nil, err
	}
	counted, err := r.files.RecountUsage(ctx, org, false)
	if err != nil {
		return nil, err
	}
	type key struct {
		org string
		sys domain.System
		typ domain.ObjectType
	}
	both := map[key]*UsageDrift{}
	var order []key
	at := func(e domain.UsageEntry) *UsageDrift {
		k := key{e.OrgID, e.System, e.ObjectType}
		if both[k] == nil {
			both[k] = &UsageDrift{OrgID: e.OrgID, System: e.System, ObjectType: e.ObjectType}
			order = append(order, k)
		}
		return both[k]
	}
	for _, e := range kept {
		at(e).Kept = e.Usage
	}
	for _, e := range counted {
		at(e).Counted = e.Usage
	}
	var drift []UsageDrift
	for _, k := range order {
		if d := both[k]; d.Kept != d.Counted {
			drift = append(drift, *d)
		}
	}
	if fix && len(drift) > 0 {
		if _, err := r.files.RecountUsage(ctx, org, true); err != nil {
			return nil, err
		}
	}
	return drift, nil
}
