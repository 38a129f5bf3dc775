package postgres

import (
	"context"

	"storagegw/application"
)

// DSN is the database to open: a postgres:// URL or an SQLite file path.
type DSN string

// ProvideDB opens dsn with opts; the cleanup closes it. It does not
// migrate: call (*DB).Migrate (the migrate command, or serve in
// development).
func ProvideDB(ctx context.Context, dsn DSN, opts Options) (*DB, func(), error) {
	db, err := Open(ctx, string(dsn), opts)
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// ProvideAuditLog is the audit writer of db: the group-commit
// AuditBatcher on both dialects (the cleanup writes what is queued and
// stops it, before the database closes). On SQLite, whose one connection
// makes every commit wait its turn, a batch takes one commit for many
// reads; on PostgreSQL it also stores the links of signed URLs with their
// events (AppendIssuing), one commit for both instead of two, and keeps
// the pool's connections for the requests (docs/DESIGN.md, "Audit trail").
func ProvideAuditLog(db *DB, opts BatchOptions) (AuditWriter, func()) {
	b := NewAuditBatcher(db, opts)
	return AuditWriter{b}, b.Close
}

// AuditWriter is the audit trail ProvideAuditLog chose for the database.
type AuditWriter struct{ application.AuditLog }
