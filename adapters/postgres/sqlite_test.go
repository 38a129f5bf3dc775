package postgres_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/application/repotest"
	"storagegw/domain"
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
		Versions:    postgres.NewVersions(db),
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

// TestSQLiteReadsDoNotWaitForTheWriter: with the one writer connection
// held (a commit in progress), a read outside a transaction still answers
// and sees every committed write, from the read-only connections; those
// refuse any write.
func TestSQLiteReadsDoNotWaitForTheWriter(t *testing.T) {
	t.Parallel()
	db := newSQLite(t)
	ctx := t.Context()
	links := postgres.NewLinks(db)
	now := time.Now()
	l, err := domain.NewLink(domain.LinkData{ID: uuid.NewString(), OrgID: "org-readers",
		FilePath: "org-readers/accounting/receipt/r1/a.png", RecordID: uuid.NewString(), Mode: domain.LinkLocal,
		CreatedBy: "user-1", CreatedAt: now, ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)
	require.NoError(t, links.Create(ctx, l))

	release := blockAudit(t, db) // holds the writer's one connection
	defer release()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := links.Get(rctx, l.ID())
	require.NoError(t, err, "a read waited for the writer")
	require.Equal(t, l.FilePath(), got.FilePath())

	_, err = db.Reader().ExecContext(ctx, "INSERT INTO storage_audit_chain (event_id, org_id, seq, prev_hash, hash, sealed_at) "+
		"VALUES ('e', 'o', 1, 'p', 'h', '2026-01-01 00:00:00')")
	require.Error(t, err, "a read-only connection wrote")
}
