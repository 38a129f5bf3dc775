package postgres

import "context"

// DSN is the database to open: a postgres:// URL or an SQLite file path.
type DSN string

// ProvideDB opens dsn; the cleanup closes it. It does not migrate: call
// (*DB).Migrate (the migrate command, or serve in development).
func ProvideDB(ctx context.Context, dsn DSN) (*DB, func(), error) {
	db, err := Open(ctx, string(dsn))
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// ProvideAuditBatcher starts the group-commit audit writer of db; the
// cleanup writes what is queued and stops it (before the database closes).
func ProvideAuditBatcher(db *DB, opts BatchOptions) (*AuditBatcher, func()) {
	b := NewAuditBatcher(db, opts)
	return b, b.Close
}
