package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/filerecord"
	"storagegw/ent/fileversion"
	"storagegw/ent/storageusage"
)

// The storage_usage table holds, per org, system and object type, any
// number of shards: rows told apart by shard, whose sum is the usage. A
// record write that changes what the record counts (domain
// FileRecord.Usage against StoredUsage) adds its move to one shard, in the
// write's transaction, after the record: on PostgreSQL a shard no other
// transaction holds (FOR UPDATE SKIP LOCKED), or a new one when every
// shard is held, so concurrent writes of one org never queue on one row
// and the lock order is the record, then the shard, which is never waited
// for. Readers sum the shards. There is no org total row: an org's usage
// is the sum of its rows.
//
// A quota check (OrgUsage inside a transaction) takes the org's advisory
// lock on PostgreSQL (usageLockClass, the org's hash), held until its
// transaction ends, before it sums: the service checks a quota before
// every write that adds to a quota-bound org's usage, in that write's
// transaction, so those writes take turns and each sees what the previous
// one committed. Writes of orgs without a quota, and writes that only
// free space, take no org-wide lock. On SQLite a transaction holds the
// file's write lock from its start, which serialises as much, and every
// write goes to shard 0 (an upsert, one statement).

// usageLockClass is the first key of the advisory locks of quota checks
// (pg_advisory_xact_lock(int, int); "usag"), the org's hashtext the
// second: a space of its own beside the single-key locks (the store
// sweep's). Two orgs whose names hash alike share a lock, which only makes
// their checks take turns.
const usageLockClass = int32(0x75736167)

// counting runs write, a write of one record at p that moves its org's
// usage by delta, with that move, in one transaction (ctx's, or its own).
// A write that moves nothing (a lease renewal, a soft delete) runs alone.
func (r *FileRepo) counting(ctx context.Context, p domain.StoragePath, delta domain.Usage, write func(ctx context.Context) error) error {
	if delta.IsZero() {
		return write(ctx)
	}
	return r.db.InTx(ctx, func(ctx context.Context) error {
		if err := write(ctx); err != nil {
			return err
		}
		return r.moveUsage(ctx, p, delta)
	})
}

// moveUsage adds delta to a shard of the usage of p's org, system and
// object type, in ctx's transaction (counting opens one): on PostgreSQL
// the first shard no other transaction holds, else a new shard, in one
// statement; on SQLite shard 0.
func (r *FileRepo) moveUsage(ctx context.Context, p domain.StoragePath, delta domain.Usage) error {
	org, system, objectType := p.OrgID(), string(p.System()), string(p.ObjectType())
	cur, ok := ctx.Value(txKey{}).(ctxTx)
	if !ok || cur.db != r.db {
		return fmt.Errorf("postgres: move usage of %q outside a transaction", org)
	}
	var n int64
	var err error
	if r.db.dialect == DialectPostgres {
		// A new shard's number is random, so concurrent creators
		// practically never meet; when they do, the upsert adds to the
		// other's shard.
		var rows *sql.Rows
		rows, err = cur.tx.QueryContext(ctx, moveUsagePostgres, org, system, objectType, delta.Bytes, delta.Files, 1+rand.IntN(1<<31-2))
		if err == nil {
			if rows.Next() {
				err = rows.Scan(&n)
			}
			err = errors.Join(err, rows.Err(), rows.Close())
		}
	} else {
		var res sql.Result
		if res, err = cur.tx.ExecContext(ctx, moveUsageSQLite, org, system, objectType, delta.Bytes, delta.Files); err == nil {
			n, err = res.RowsAffected()
		}
	}
	if err == nil && n != 1 {
		err = fmt.Errorf("%d usage rows moved, want 1", n)
	}
	if err != nil {
		return fmt.Errorf("postgres: move usage of %q: %w", org, translate(err))
	}
	return nil
}

// moveUsagePostgres adds $4 bytes and $5 files to the first shard of org
// $1, system $2 and object type $3 that no other transaction holds, or,
// when every shard is held or there is none, to a new shard $6; it
// answers how many rows it moved (1).
const moveUsagePostgres = `WITH free AS (
	SELECT id FROM storage_usage WHERE org_id = $1 AND system = $2 AND object_type = $3 LIMIT 1 FOR UPDATE SKIP LOCKED
), moved AS (
	UPDATE storage_usage SET bytes = bytes + $4, files = files + $5 WHERE id IN (SELECT id FROM free) RETURNING id
), added AS (
	INSERT INTO storage_usage (org_id, system, object_type, shard, bytes, files)
		SELECT $1::text, $2::text, $3::text, $6::bigint, $4::bigint, $5::bigint WHERE NOT EXISTS (SELECT 1 FROM moved)
	ON CONFLICT (org_id, system, object_type, shard)
		DO UPDATE SET bytes = storage_usage.bytes + EXCLUDED.bytes, files = storage_usage.files + EXCLUDED.files
	RETURNING id
)
SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM added)`

// moveUsageSQLite adds to shard 0 (SQLite has one writer at a time).
const moveUsageSQLite = `INSERT INTO storage_usage (org_id, system, object_type, shard, bytes, files) VALUES (?, ?, ?, 0, ?, ?)
ON CONFLICT (org_id, system, object_type, shard) DO UPDATE SET bytes = bytes + excluded.bytes, files = files + excluded.files`

// lockOrgUsage takes org's quota lock on PostgreSQL inside a transaction,
// until it ends (see usageLockClass).
func (r *FileRepo) lockOrgUsage(ctx context.Context, org string) error {
	cur, ok := ctx.Value(txKey{}).(ctxTx)
	if r.db.dialect != DialectPostgres || !ok || cur.db != r.db {
		return nil
	}
	if _, err := cur.tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", usageLockClass, org); err != nil {
		return fmt.Errorf("postgres: lock usage of %q: %w", org, translate(err))
	}
	return nil
}

// usageSums is the sum of the shards per org, system and object type.
type usageSums []struct {
	OrgID      string `json:"org_id"`
	System     string `json:"system"`
	ObjectType string `json:"object_type"`
	Bytes      int64  `json:"bytes"`
	Files      int64  `json:"files"`
}

// sums reads the usage of org (every org when empty) per org, system and
// object type, zeros included.
func (r *FileRepo) sums(ctx context.Context, org string) (usageSums, error) {
	q := r.c(ctx).StorageUsage.Query().Where(storageusage.SystemNEQ(""))
	if org != "" {
		q = q.Where(storageusage.OrgID(org))
	}
	var sums usageSums
	err := q.GroupBy(storageusage.FieldOrgID, storageusage.FieldSystem, storageusage.FieldObjectType).
		Aggregate(ent.As(ent.Sum(storageusage.FieldBytes), "bytes"), ent.As(ent.Sum(storageusage.FieldFiles), "files")).
		Scan(ctx, &sums)
	if err != nil {
		return nil, fmt.Errorf("postgres: read usage: %w", translate(err))
	}
	return sums, nil
}

// OrgUsage implements application.FileRepository.
func (r *FileRepo) OrgUsage(ctx context.Context, org string, now time.Time) (used, inflight domain.Usage, err error) {
	if org == "" {
		return used, inflight, domain.Errorf(domain.ErrInvalid, "invalid_usage_query", "A usage query needs an org.")
	}
	if err := r.lockOrgUsage(ctx, org); err != nil {
		return used, inflight, err
	}
	sums, err := r.sums(ctx, org)
	if err != nil {
		return used, inflight, err
	}
	for _, s := range sums {
		used = used.Plus(domain.Usage{Bytes: s.Bytes, Files: s.Files})
	}
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
	sums, err := r.sums(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]domain.UsageEntry, 0, len(sums))
	for _, s := range sums {
		if s.Bytes == 0 && s.Files == 0 {
			continue
		}
		out = append(out, domain.UsageEntry{OrgID: s.OrgID, System: domain.System(s.System),
			ObjectType: domain.ObjectType(s.ObjectType), Usage: domain.Usage{Bytes: s.Bytes, Files: s.Files}})
	}
	domain.SortUsage(out)
	return out, nil
}

// RecountUsage implements application.FileRepository. With fix it reads
// the kept usage and recounts the records in one snapshot (REPEATABLE
// READ on PostgreSQL; SQLite's transaction holds the write lock), so
// writes committing meanwhile are in neither or, on SQLite, wait, and
// adds the difference as a new shard per org, system and object type
// that drifted: it rewrites no row a concurrent writer may hold.
func (r *FileRepo) RecountUsage(ctx context.Context, org string, fix bool) ([]domain.UsageEntry, error) {
	if !fix {
		return r.recount(ctx, org)
	}
	var out []domain.UsageEntry
	err := r.db.inSnapshot(ctx, func(ctx context.Context) error {
		kept, err := r.sums(ctx, org)
		if err != nil {
			return err
		}
		if out, err = r.recount(ctx, org); err != nil {
			return err
		}
		var diff usageTally
		for _, e := range out {
			diff.add(usageKey{e.OrgID, string(e.System), string(e.ObjectType)}, e.Usage)
		}
		for _, s := range kept {
			diff.add(usageKey{s.OrgID, s.System, s.ObjectType}, domain.Usage{}.Minus(domain.Usage{Bytes: s.Bytes, Files: s.Files}))
		}
		for _, e := range diff.entries() {
			d := e.Usage
			if d.IsZero() {
				continue
			}
			err := r.c(ctx).StorageUsage.Create().SetOrgID(e.OrgID).SetSystem(string(e.System)).SetObjectType(string(e.ObjectType)).
				SetShard(1 + rand.IntN(1<<31-2)).SetBytes(d.Bytes).SetFiles(d.Files).Exec(ctx)
			if err != nil {
				return fmt.Errorf("postgres: fix usage of %q: %w", e.OrgID, translate(err))
			}
		}
		return nil
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
	var tally usageTally
	for _, g := range append(groups, versions...) {
		tally.add(usageKey{g.OrgID, g.System, g.ObjectType}, domain.Usage{Bytes: g.Bytes, Files: g.Files})
	}
	out := tally.entries()
	domain.SortUsage(out)
	return out, nil
}

// usageKey is one org's system and object type.
type usageKey struct{ org, system, objectType string }

// usageTally adds usages up per key, keeping the keys in the order first
// seen.
type usageTally struct {
	sums  map[usageKey]domain.Usage
	order []usageKey
}

func (t *usageTally) add(k usageKey, u domain.Usage) {
	if t.sums == nil {
		t.sums = map[usageKey]domain.Usage{}
	}
	if _, ok := t.sums[k]; !ok {
		t.order = append(t.order, k)
	}
	t.sums[k] = t.sums[k].Plus(u)
}

// entries are the sums, in the keys' order.
func (t *usageTally) entries() []domain.UsageEntry {
	out := make([]domain.UsageEntry, len(t.order))
	for i, k := range t.order {
		out[i] = domain.UsageEntry{OrgID: k.org, System: domain.System(k.system),
			ObjectType: domain.ObjectType(k.objectType), Usage: t.sums[k]}
	}
	return out
}
