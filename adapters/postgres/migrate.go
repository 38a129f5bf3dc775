package postgres

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"storagegw/migrations"
)

// MigrationState is one versioned migration and whether the database has it.
type MigrationState struct {
	Version   int64
	Name      string // the file name, e.g. "20261126000001_init.sql"
	Applied   bool
	AppliedAt time.Time // zero when pending
}

// Migrate applies the pending migrations of the database's dialect (the
// embedded migrations/postgres or migrations/sqlite files). On PostgreSQL a
// session advisory lock makes concurrent replicas migrate one at a time.
// Applying an up-to-date database is a no-op.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", db.dialect, translate(err))
	}
	return nil
}

// MigrationStatus lists every known migration in version order.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	status, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status %s: %w", db.dialect, translate(err))
	}
	out := make([]MigrationState, 0, len(status))
	for _, s := range status {
		out = append(out, MigrationState{
			Version:   s.Source.Version,
			Name:      path.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt.UTC(),
		})
	}
	return out, nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	dir, gooseDialect := "sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == DialectPostgres {
		dir, gooseDialect = "postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("postgres: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	fsys, err := migrations.FS(dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(gooseDialect, db.sql, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("postgres: load %s migrations: %w", dir, err)
	}
	return p, nil
}
