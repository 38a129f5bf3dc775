// Package postgres persists file records, multipart upload sessions and the
// audit trail with Ent, on PostgreSQL (pgx) in production and embedded SQLite
// in development.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"storagegw/domain"
	"storagegw/ent"
)

// Dialect names as Ent spells them.
const (
	DialectPostgres = dialect.Postgres // "postgres"
	DialectSQLite   = dialect.SQLite   // "sqlite3"
)

// sqliteParams make an SQLite file safe for concurrent use: foreign keys on,
// WAL synced at every commit (FULL: an acknowledged write survives power
// loss, see docs/DESIGN.md), a generous busy timeout, write transactions
// that lock up front, and times written in SQLite's own sortable format
// (always UTC here).
const sqliteParams = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
	"&_pragma=synchronous(FULL)&_txlock=immediate&_time_format=sqlite"

// DB is an open database: the Ent client and the *sql.DB beneath it.
type DB struct {
	sql     *sql.DB
	client  *ent.Client
	dialect string
	// purgeMu keeps this process's purge claims apart on SQLite, which
	// has no row locks (see FileRepo.ClaimPurgeBatch).
	purgeMu sync.Mutex
}

// Open connects to dsn and checks that the database answers. A dsn starting
// with postgres:// or postgresql:// is a PostgreSQL URL (pgx); anything else
// is the path of an SQLite file, created with its directory when missing.
// An unreachable database is domain.ErrUnavailable.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_database_url", "The database URL or SQLite path is empty.")
	}
	var db *DB
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sqlDB, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("postgres: open: %w", err)
		}
		sqlDB.SetMaxOpenConns(25)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		db = newDB(sqlDB, DialectPostgres)
	} else {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o750); err != nil {
			return nil, fmt.Errorf("postgres: create directory of %q: %w", dsn, err)
		}
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		sqlDB, err := sql.Open("sqlite", dsn+sep+sqliteParams)
		if err != nil {
			return nil, fmt.Errorf("postgres: open %q: %w", dsn, err)
		}
		// SQLite allows one writer at a time; one connection serializes
		// every statement in Go instead of failing with "database is locked".
		sqlDB.SetMaxOpenConns(1)
		db = newDB(sqlDB, DialectSQLite)
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func newDB(sqlDB *sql.DB, dialectName string) *DB {
	drv := entsql.OpenDB(dialectName, sqlDB)
	return &DB{sql: sqlDB, client: ent.NewClient(ent.Driver(drv)), dialect: dialectName}
}

// Dialect returns DialectPostgres or DialectSQLite.
func (db *DB) Dialect() string { return db.dialect }

// SQL returns the underlying connection pool, for health checks and tests.
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database answers; it fails with domain.ErrUnavailable.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("postgres: ping %s: %w", db.dialect, translate(err))
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.client.Close() }
