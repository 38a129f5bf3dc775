package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/application/repotest"
)

const defaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// newPostgres creates a fresh database storagegw_test_<random> on the
// server of $STORAGEGW_TEST_DATABASE_URL (default: the local server),
// migrates it, and drops it when the test ends. Without a reachable server
// the test is skipped, except in CI (CI=true) where it fails.
func newPostgres(t testing.TB) *postgres.DB {
	t.Helper()
	server := os.Getenv("STORAGEGW_TEST_DATABASE_URL")
	if server == "" {
		server = defaultServer
	}
	admin, err := sql.Open("pgx", server)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close() })
	pingCtx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pingCtx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Postgres is required in CI: cannot reach %s: %v (run the tests through scripts/with-postgres.sh)", redacted(server), err)
		}
		t.Skipf("no PostgreSQL at %s (%v): set STORAGEGW_TEST_DATABASE_URL or run through scripts/with-postgres.sh", redacted(server), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "storagegw_test_" + hex.EncodeToString(b)
	_, err = admin.ExecContext(t.Context(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		require.NoError(t, err, "drop test database %s", name)
	})
	u, err := url.Parse(server)
	require.NoError(t, err)
	u.Path = "/" + name
	db, err := postgres.Open(t.Context(), u.String(), postgres.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() }) // runs before the drop
	require.Equal(t, postgres.DialectPostgres, db.Dialect())
	require.NoError(t, db.Migrate(t.Context()))
	return db
}

// dialects open a fresh, migrated database of each dialect, by name, for
// the tests that run on both.
var dialects = map[string]func(testing.TB) *postgres.DB{"sqlite": newSQLite, "postgres": newPostgres}

func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	db := newPostgres(t)
	repotest.Run(t, func(t *testing.T) repotest.Fixture { return fixture(db) })
}

func TestPostgresMigrations(t *testing.T) {
	t.Parallel()
	testMigrations(t, newPostgres(t))
}

// TestPostgresConcurrentMigrate has several replicas migrate one fresh
// database at once: the advisory lock lets exactly one apply each file.
func TestPostgresConcurrentMigrate(t *testing.T) {
	t.Parallel()
	db := newPostgres(t)
	_, err := db.SQL().ExecContext(t.Context(),
		"DROP SCHEMA public CASCADE; CREATE SCHEMA public") // every table and function, whatever the migrations hold
	require.NoError(t, err)
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- db.Migrate(t.Context()) }()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	testMigrations(t, db)
}
