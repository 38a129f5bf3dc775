package postgres

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
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
// Applying an up-to-date database is a no-op. On PostgreSQL migrations
// run on connections of their own, without the pool's statement_timeout
// and operation deadline: a long migration is not cut.
func (db *DB) Migrate(ctx context.Context) error {
	p, done, err := db.migrator()
	if err != nil {
		return err
	}
	defer done()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", db.dialect, translate(err))
	}
	return nil
}

// MigrationStatus lists every known migration in version order.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, done, err := db.migrator()
	if err != nil {
		return nil, err
	}
	defer done()
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

// migrator returns the migration provider and a function that releases
// it: on PostgreSQL it closes the provider's own pool (db.migrateConfig),
// on SQLite it shares the pool's single connection.
func (db *DB) migrator() (*goose.Provider, func(), error) {
	dir, gooseDialect := "sqlite", goose.DialectSQLite3
	sqlDB, done := db.sql, func() {}
	var opts []goose.ProviderOption
	if db.dialect == DialectPostgres {
		dir, gooseDialect = "postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
		sqlDB = stdlib.OpenDB(*db.migrateConfig)
		sqlDB.SetMaxOpenConns(2) // goose's session lock and the migrations
		done = func() { sqlDB.Close() }
	}
	fsys, err := migrations.FS(dir)
	if err != nil {
		done()
		return nil, nil, err
	}
	p, err := goose.NewProvider(gooseDialect, sqlDB, fsys, opts...)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("postgres: load %s migrations: %w", dir, err)
	}
	return p, done, nil
}
