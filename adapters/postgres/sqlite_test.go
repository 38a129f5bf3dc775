package postgres_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/application/repotest"
)

// fixture exposes db to the conformance suite.
func fixture(db *postgres.DB) repotest.Fixture {
	return repotest.Fixture{
		Files:    postgres.NewFileRepo(db),
		Audit:    postgres.NewAuditLog(db),
		Sessions: postgres.NewSessions(db),
		Tus:      postgres.NewTusUploads(db),
		Tx:       db,

		Idempotency: postgres.NewIdempotencyKeys(db),
		Links:       postgres.NewLinks(db),
		Exec: func(ctx context.Context, query string) error {
			_, err := db.SQL().ExecContext(ctx, query)
			return err
		},
		Truncate:  db.Dialect() == postgres.DialectPostgres,
		Replace:   db.Dialect() == postgres.DialectSQLite,
		OneWriter: db.Dialect() == postgres.DialectSQLite,
	}
}

// newSQLite opens and migrates a fresh SQLite file. Its operations get a
// minute, not the default 5 s: SQLite has one connection, which
// database/sql hands to its waiters in no fair order, so under the suite's
// 100 concurrent callers (and the race detector on a loaded machine) one
// caller can wait longer than 5 s. The suite checks what is stored, not
// how fast; the service itself writes SQLite's audit trail through the
// one-writer AuditBatcher, not 100 callers on the pool.
func newSQLite(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), filepath.Join(t.TempDir(), "data", "storagegw.db"),
		postgres.Options{OperationTimeout: time.Minute})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.Equal(t, postgres.DialectSQLite, db.Dialect())
	require.NoError(t, db.Migrate(t.Context()))
	return db
}

func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	repotest.Run(t, func(t *testing.T) repotest.Fixture { return fixture(newSQLite(t)) })
}

func TestSQLiteMigrations(t *testing.T) {
	t.Parallel()
	testMigrations(t, newSQLite(t))
}

// testMigrations checks that a migrated database reports every migration
// applied and that migrating again is a no-op.
func testMigrations(t *testing.T, db *postgres.DB) {
	status, err := db.MigrationStatus(t.Context())
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(status), 2, "init and the append-only guard")
	for _, s := range status {
		require.True(t, s.Applied, "migration %s not applied", s.Name)
		require.False(t, s.AppliedAt.IsZero())
	}
	require.Equal(t, "init.sql", status[0].Name[len(status[0].Name)-len("init.sql"):])
	require.NoError(t, db.Migrate(t.Context()), "migrating twice")
	again, err := db.MigrationStatus(t.Context())
	require.NoError(t, err)
	require.Equal(t, status, again)
}
