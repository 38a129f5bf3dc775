package postgres

import (
	"context"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/filerecord"
	"storagegw/ent/fileversion"
	"storagegw/ent/storageusage"
)

// The storage_usage table holds, per org, one row per system and object
// type and one total row (system and object type empty). A record write
// that changes what the record counts (domain FileRecord.Usage against
// StoredUsage) moves both rows in the write's transaction, taking the
// total row's lock first: every writer of an org's usage, and every quota
// check (OrgUsage), takes the org's locks in one order (total row, then
// the record, then the detail row), so they queue instead of deadlocking.

// counting runs write, a write of one record at p that moves its org's
// usage by delta, with that move, in one transaction (ctx's, or its own).
// A write that moves nothing (a lease renewal, a soft delete) runs alone.
func (r *FileRepo) counting(ctx context.Context, p domain.StoragePath, delta domain.Usage, write func(ctx context.Context) error) error {
	if delta.IsZero() {
		return write(ctx)
	}
	return r.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := r.lockTotal(ctx, p.OrgID()); err != nil {
			return err
		}
		if err := write(ctx); err != nil {
			return err
		}
		return r.moveUsage(ctx, p, delta)
	})
}

// lockTotal returns org's total row, creating it when missing, and, on
// PostgreSQL inside a transaction, locks it (FOR UPDATE) until the
// transaction ends. On SQLite a transaction holds the file's write lock
// from its start, which serialises as much.
func (r *FileRepo) lockTotal(ctx context.Context, org string) (*ent.StorageUsage, error) {
	for created := false; ; created = true {
		q := r.c(ctx).StorageUsage.Query().Where(storageusage.OrgID(org), storageusage.System(""), storageusage.ObjectType(""))
		if r.db.dialect == DialectPostgres && r.db.inTx(ctx) {
			q = q.Where(func(s *entsql.Selector) { s.ForUpdate() })
		}
		row, err := q.Only(ctx)
		if ent.IsNotFound(err) && !created {
			if err := r.ensureRow(ctx, org, "", ""); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("postgres: lock usage of %q: %w", org, translate(err))
		}
		return row, nil
	}
}

// ensureRow creates org's usage row of system and object type, empty, if
// there is none. On PostgreSQL inside a transaction the insert runs on a
// connection of its own: a unique violation of a concurrent creator would
// otherwise abort the transaction. An empty row counts nothing, so one
// left behind by a transaction that rolled back is harmless.
func (r *FileRepo) ensureRow(ctx context.Context, org, system, objectType string) error {
	c := r.c(ctx)
	exists, err := c.StorageUsage.Query().
		Where(storageusage.OrgID(org), storageusage.System(system), storageusage.ObjectType(objectType)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("postgres: read usage of %q: %w", org, translate(err))
	}
	if exists {
		return nil
	}
	if r.db.dialect == DialectPostgres {
		c = r.db.client
	}
	err = c.StorageUsage.Create().SetOrgID(org).SetSystem(system).SetObjectType(objectType).Exec(ctx)
	if err != nil && !ent.IsConstraintError(err) {
		return fmt.Errorf("postgres: create usage of %q: %w", org, translate(err))
	}
	return nil
}

// moveUsage adds delta to the usage rows of p's org: the total row and the
// row of p's system and object type.
func (r *FileRepo) moveUsage(ctx context.Context, p domain.StoragePath, delta domain.Usage) error {
	org, system, objectType := p.OrgID(), string(p.System()), string(p.ObjectType())
	for _, key := range [][2]string{{"", ""}, {system, objectType}} {
		for created := false; ; created = true {
			n, err := r.c(ctx).StorageUsage.Update().
				Where(storageusage.OrgID(org), storageusage.System(key[0]), storageusage.ObjectType(key[1])).
				AddBytes(delta.Bytes).AddFiles(delta.Files).Save(ctx)
			if err == nil && n == 0 && !created {
				if err := r.ensureRow(ctx, org, key[0], key[1]); err != nil {
					return err
				}
				continue
			}
			if err == nil && n != 1 {
				err = fmt.Errorf("%d usage rows matched, want 1", n)
			}
			if err != nil {
				return fmt.Errorf("postgres: move usage of %q: %w", org, translate(err))
			}
			break
		}
	}
	return nil
}

// OrgUsage implements application.FileRepository.
func (r *FileRepo) OrgUsage(ctx context.Context, org string, now time.Time) (used, inflight domain.Usage, err error) {
	if org == "" {
		return used, inflight, domain.Errorf(domain.ErrInvalid, "invalid_usage_query", "A usage query needs an org.")
	}
	total, err := r.lockTotal(ctx, org)
	if err != nil {
		return used, inflight, err
	}
	used = domain.Usage{Bytes: total.Bytes, Files: total.Files}
	rows, err := r.c(ctx).FileRecord.Query().
		Where(filerecord.OrgID(org), filerecord.PendingUploadIDNEQ("")).All(ctx)
	if err != nil {
		return used, inflight, fmt.Errorf("postgres: read reservations of %q: %w", org, translate(err))
	}
	for _, row := range rows {
		rec, err := toRecord(row)
		if err != nil {
			return used, inflight, err
		}
		inflight = inflight.Plus(rec.Claim(now))
	}
	return used, inflight, nil
}

// Usage implements application.FileRepository.
func (r *FileRepo) Usage(ctx context.Context, org string) ([]domain.UsageEntry, error) {
	q := r.c(ctx).StorageUsage.Query().Where(storageusage.SystemNEQ(""))
	if org != "" {
		q = q.Where(storageusage.OrgID(org))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: read usage: %w", translate(err))
	}
	out := make([]domain.UsageEntry, 0, len(rows))
	for _, row := range rows {
		if row.Bytes == 0 && row.Files == 0 {
			continue
		}
		out = append(out, domain.UsageEntry{OrgID: row.OrgID, System: domain.System(row.System),
			ObjectType: domain.ObjectType(row.ObjectType), Usage: domain.Usage{Bytes: row.Bytes, Files: row.Files}})
	}
	domain.SortUsage(out)
	return out, nil
}

// RecountUsage implements application.FileRepository.
func (r *FileRepo) RecountUsage(ctx context.Context, org string, fix bool) ([]domain.UsageEntry, error) {
	var out []domain.UsageEntry
	err := r.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if fix && org != "" {
			if _, err := r.lockTotal(ctx, org); err != nil {
				return err
			}
		}
		if out, err = r.recount(ctx, org); err != nil || !fix {
			return err
		}
		return r.replaceUsage(ctx, org, out)
	})
	return out, err
}

// recount sums the records holding a blob, and the versions, per org,
// system and object type.
func (r *FileRepo) recount(ctx context.Context, org string) ([]domain.UsageEntry, error) {
	q := r.c(ctx).FileRecord.Query().Where(filerecord.StateEQ(filerecord.StateActive))
	if org != "" {
		q = q.Where(filerecord.OrgID(org))
	}
	var groups []struct {
		OrgID      string `json:"org_id"`
		System     string `json:"system"`
		ObjectType string `json:"object_type"`
		Bytes      int64  `json:"sum"`
		Files      int64  `json:"count"`
	}
	err := q.GroupBy(filerecord.FieldOrgID, filerecord.FieldSystem, filerecord.FieldObjectType).
		Aggregate(ent.Sum(filerecord.FieldSizeBytes), ent.Count()).Scan(ctx, &groups)
	if err != nil {
		return nil, fmt.Errorf("postgres: recount usage: %w", translate(err))
	}
	// Versions count like the records whose content they were.
	vq := r.c(ctx).FileVersion.Query()
	if org != "" {
		vq = vq.Where(fileversion.OrgID(org))
	}
	versions := groups[:0:0]
	err = vq.GroupBy(fileversion.FieldOrgID, fileversion.FieldSystem, fileversion.FieldObjectType).
		Aggregate(ent.Sum(fileversion.FieldSizeBytes), ent.Count()).Scan(ctx, &versions)
	if err != nil {
		return nil, fmt.Errorf("postgres: recount usage of versions: %w", translate(err))
	}
	type key struct{ org, sys, typ string }
	sums := map[key]domain.Usage{}
	var order []key
	for _, g := range append(groups, versions...) {
		k := key{g.OrgID, g.System, g.ObjectType}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] = sums[k].Plus(domain.Usage{Bytes: g.Bytes, Files: g.Files})
	}
	out := make([]domain.UsageEntry, 0, len(order))
	for _, k := range order {
		out = append(out, domain.UsageEntry{OrgID: k.org, System: domain.System(k.sys),
			ObjectType: domain.ObjectType(k.typ), Usage: sums[k]})
	}
	domain.SortUsage(out)
	return out, nil
}

// replaceUsage sets the usage rows of org (every org when empty) to
// counted: rows it lacks are zeroed, totals summed.
func (r *FileRepo) replaceUsage(ctx context.Context, org string, counted []domain.UsageEntry) error {
	c := r.c(ctx).StorageUsage
	zero := c.Update().SetBytes(0).SetFiles(0)
	if org != "" {
		zero = zero.Where(storageusage.OrgID(org))
	}
	if _, err := zero.Save(ctx); err != nil {
		return fmt.Errorf("postgres: reset usage: %w", translate(err))
	}
	for _, e := range counted {
		p := [3]string{e.OrgID, string(e.System), string(e.ObjectType)}
		for _, key := range [][3]string{{p[0], "", ""}, p} {
			if err := r.ensureRow(ctx, key[0], key[1], key[2]); err != nil {
				return err
			}
			_, err := c.Update().Where(storageusage.OrgID(key[0]), storageusage.System(key[1]), storageusage.ObjectType(key[2])).
				AddBytes(e.Bytes).AddFiles(e.Files).Save(ctx)
			if err != nil {
				return fmt.Errorf("postgres: set usage: %w", translate(err))
			}
		}
	}
	return nil
}
