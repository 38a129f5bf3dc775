package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// postgresEnv returns the settings that point the service at a fresh
// database storagegw_e2e_<random> on the server of
// $STORAGEGW_TEST_DATABASE_URL, dropped when the test ends. Without the
// variable, or without a reachable server, the test is skipped, except in
// CI (CI=true) where it fails. scripts/with-postgres.sh sets it.
func postgresEnv(t *testing.T) map[string]string {
	t.Helper()
	return postgresEnvTB(t)
}

// postgresEnvTB is postgresEnv for a test or a benchmark.
func postgresEnvTB(t testing.TB) map[string]string {
	t.Helper()
	server := os.Getenv("STORAGEGW_TEST_DATABASE_URL")
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PostgreSQL is required in CI: run the tests through scripts/with-postgres.sh")
		}
		t.Skip("no STORAGEGW_TEST_DATABASE_URL: run through scripts/with-postgres.sh for PostgreSQL")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("no PostgreSQL reachable: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "storagegw_e2e_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	// Registered before newAPI's cleanups, so it runs after the service
	// closed its connections.
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return map[string]string{"DATABASE_URL": u.String()}
}
