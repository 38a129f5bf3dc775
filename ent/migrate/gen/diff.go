package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	entmigrate "storagegw/ent/migrate"
)

// diff plans the changes between the migrations in dir and the Ent schema
// and writes them as a new goose file named name. It returns the names of
// the files it added.
func diff(ctx context.Context, dialectName, serverURL, dir, name string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	before, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	gdir, err := sqltool.NewGooseDir(dir)
	if err != nil {
		return nil, err
	}
	db, entDialect, cleanup, err := devDB(ctx, dialectName, serverURL)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	m, err := schema.NewMigrate(entsql.OpenDB(entDialect, db),
		schema.WithDir(gdir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(entDialect),
		schema.WithFormatter(sqltool.GooseFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		return nil, err
	}
	if err := m.NamedDiff(ctx, name, entmigrate.Tables...); err != nil {
		return nil, fmt.Errorf("plan %s migration: %w", dialectName, err)
	}
	after, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	var added []string
	for _, f := range after {
		if !slices.Contains(before, f) && f != migrate.HashFileName {
			added = append(added, f)
		}
	}
	return added, nil
}

// devDB opens an empty database to replay the migrations on: in-memory
// SQLite, or a fresh database on the PostgreSQL server at serverURL that
// cleanup drops.
func devDB(ctx context.Context, dialectName, serverURL string) (*sql.DB, string, func(), error) {
	if dialectName == "sqlite" {
		db, err := sql.Open("sqlite", "file:gen?mode=memory&_pragma=foreign_keys(1)")
		if err != nil {
			return nil, "", nil, err
		}
		db.SetMaxOpenConns(1) // one connection, one in-memory database
		return db, dialect.SQLite, func() { db.Close() }, nil
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return nil, "", nil, err
	}
	name := "storagegw_migrate_" + randomSuffix()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("create dev database on %s: %w", redact(serverURL), err)
	}
	u, _ := url.Parse(serverURL)
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	cleanup := func() {
		db.Close()
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	return db, dialect.Postgres, cleanup, nil
}

// rehashDir recomputes dir's atlas.sum after a hand-written file changed.
func rehashDir(dir string) error {
	gdir, err := sqltool.NewGooseDir(dir)
	if err != nil {
		return err
	}
	sum, err := gdir.Checksum()
	if err != nil {
		return err
	}
	return migrate.WriteSumFile(gdir, sum)
}

func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable url)"
	}
	return p.Redacted()
}
