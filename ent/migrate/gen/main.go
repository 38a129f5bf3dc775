// Command gen writes storagegw's versioned SQL migrations from the Ent
// schema, one directory per dialect, in pressly/goose format, and keeps each
// directory's atlas.sum (the integrity file Ent checks before planning)
// valid. It needs no atlas binary. Run it from the module root:
//
//	go run ./ent/migrate/gen -dialect sqlite -name add_something
//	go run ./ent/migrate/gen -dialect postgres -name add_something
//	go run ./ent/migrate/gen -dialect postgres -rehash   # after editing a hand-written file
//
// It replays the existing files on an empty development database (an
// in-memory SQLite, or a throwaway database created on the PostgreSQL
// server named by -dev-url, default $STORAGEGW_TEST_DATABASE_URL or
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and writes
// the difference to the Ent schema as a new file; no change, no file.
// Hand-written files (the audit trail's append-only triggers) live beside the
// generated ones: write them, then run with -rehash.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	var (
		dialectName = flag.String("dialect", "", `"postgres" or "sqlite"`)
		name        = flag.String("name", "", "name of the new migration, e.g. add_retention_column")
		devURL      = flag.String("dev-url", defaultServerURL(), "PostgreSQL server on which to create the throwaway dev database")
		dirRoot     = flag.String("dir", "migrations", "directory holding one migration directory per dialect")
		rehash      = flag.Bool("rehash", false, "only recompute atlas.sum after a hand edit")
	)
	flag.Parse()
	if err := run(context.Background(), *dialectName, *name, *devURL, *dirRoot, *rehash); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dialectName, name, devURL, dirRoot string, rehash bool) error {
	if dialectName != "postgres" && dialectName != "sqlite" {
		return fmt.Errorf("-dialect must be postgres or sqlite, not %q", dialectName)
	}
	dir := filepath.Join(dirRoot, dialectName)
	if rehash {
		return rehashDir(dir)
	}
	if name == "" {
		return fmt.Errorf("-name is required")
	}
	written, err := diff(ctx, dialectName, devURL, dir, name)
	if err != nil {
		return err
	}
	if len(written) == 0 {
		fmt.Println("no changes: the migrations match the Ent schema")
	}
	for _, f := range written {
		fmt.Println("wrote", filepath.Join(dir, f))
	}
	return nil
}

func defaultServerURL() string {
	if u := os.Getenv("STORAGEGW_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}
