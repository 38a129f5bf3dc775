package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMigrationsMatchSchema fails when the Ent schema changed without a new
// migration, or when a migration file changed without -rehash: planning on
// a copy of each committed directory must find nothing to write.
func TestMigrationsMatchSchema(t *testing.T) {
	for _, dialectName := range []string{"sqlite", "postgres"} {
		t.Run(dialectName, func(t *testing.T) {
			server := defaultServerURL()
			if dialectName == "postgres" {
				requireServer(t, server)
			}
			dir := filepath.Join(t.TempDir(), dialectName)
			copyDir(t, filepath.Join("..", "..", "..", "migrations", dialectName), dir)
			added, err := diff(t.Context(), dialectName, server, dir, "drift")
			if err != nil {
				t.Fatalf("plan: %v (after editing a migration by hand, run: go run ./ent/migrate/gen -dialect %s -rehash)", err, dialectName)
			}
			for _, f := range added {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				t.Errorf("the Ent schema differs from migrations/%s; run: go run ./ent/migrate/gen -dialect %s -name <change>\n%s",
					dialectName, dialectName, b)
			}
		})
	}
}

func requireServer(t *testing.T, server string) {
	t.Helper()
	db, err := sql.Open("pgx", server)
	if err == nil {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		err = db.PingContext(ctx)
		db.Close()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Postgres is required in CI: cannot reach %s: %v", redact(server), err)
		}
		t.Skipf("no PostgreSQL at %s (%v): set STORAGEGW_TEST_DATABASE_URL", redact(server), err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
