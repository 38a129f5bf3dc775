// Package migrations embeds storagegw's versioned SQL migrations: one
// directory per dialect (postgres, sqlite) of pressly/goose files generated
// from the Ent schema by ent/migrate/gen, plus the hand-written files that
// make the audit trail append-only. adapters/postgres applies them.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialects lists the dialects that have a migration directory.
func Dialects() []string { return []string{"postgres", "sqlite"} }

// FS returns the migration files of dialect ("postgres" or "sqlite") at
// the root of the returned file system.
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "postgres", "sqlite":
		return fs.Sub(files, dialect)
	}
	return nil, fmt.Errorf("migrations: no migrations for dialect %q", dialect)
}
