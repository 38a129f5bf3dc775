// Package postgres persists file records, multipart upload sessions and the
// audit trail with Ent, on PostgreSQL (pgx) in production and embedded SQLite
// in development.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

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

// sqliteReaderParams open SQLite's read-only connections: query_only
// makes the file refuse any write through them, so a statement routed to
// them by mistake fails loudly instead of writing beside the one writer.
const sqliteReaderParams = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_time_format=sqlite&_pragma=mmap_size(268435456)&_pragma=query_only(1)"

// sqliteReaders is how many read-only connections an SQLite database has
// beside its one writer (see DB.reader).
const sqliteReaders = 4

// Options bound a database's connections and operations. Open takes a
// zero field as its DefaultOptions value; settings the PostgreSQL URL
// gives itself (connect_timeout, statement_timeout) win over these.
type Options struct {
	// ConnectTimeout bounds establishing a PostgreSQL connection (pgx
	// ConnectTimeout).
	ConnectTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout on every
	// connection but the migrations' (which have none): the server
	// cancels a statement that runs longer.
	StatementTimeout time.Duration
	// OperationTimeout is the client-side deadline of every operation:
	// one statement, or one whole transaction (DB.InTx, audit seals). A
	// database that stops answering fails operations with
	// domain.ErrUnavailable after it.
	OperationTimeout time.Duration
	// MaxConns is the PostgreSQL pool's size; SQLite always has one
	// connection.
	MaxConns int
}

// DefaultOptions are the bounds Open uses for a zero Options field.
var DefaultOptions = Options{ConnectTimeout: 5 * time.Second, StatementTimeout: 15 * time.Second,
	OperationTimeout: 5 * time.Second, MaxConns: 25}

func (o Options) withDefaults() Options {
	d := DefaultOptions
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = d.ConnectTimeout
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = d.StatementTimeout
	}
	if o.OperationTimeout <= 0 {
		o.OperationTimeout = d.OperationTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = d.MaxConns
	}
	return o
}

// DB is an open database: the Ent client and the *sql.DB beneath it.
type DB struct {
	sql     *sql.DB
	client  *ent.Client
	dialect string
	// opTimeout bounds every operation (withDeadline).
	opTimeout time.Duration
	// migrateConfig is the PostgreSQL connection configuration of
	// migrations: the pool's without its statement_timeout.
	migrateConfig *pgx.ConnConfig
	// path is the SQLite file's path ("" on PostgreSQL).
	path string
	// reader, on SQLite, is a pool of read-only connections (WAL lets
	// them read while the writer commits): the SELECTs Ent runs outside a
	// transaction go to it (deadlineDriver.Query), so a read never queues
	// for the one writer connection behind commits and their fsyncs.
	// Writes and transactions keep the writer. Nil on PostgreSQL.
	reader    *sql.DB
	readStmts *stmtCache // the reader's prepared statements
	// purgeMu keeps this process's purge claims apart on SQLite, which
	// has no row locks (see FileRepo.ClaimPurgeBatch).
	purgeMu sync.Mutex
	// fileReads shares the SELECTs of FileRepo.Gets outside transactions.
	fileReads fileReads
}

// Open connects to dsn and checks that the database answers. A dsn starting
// with postgres:// or postgresql:// is a PostgreSQL URL (pgx); anything else
// is the path of an SQLite file, created with its directory when missing.
// An unreachable database is domain.ErrUnavailable.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	opts = opts.withDefaults()
	if strings.TrimSpace(dsn) == "" {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_database_url", "The database URL or SQLite path is empty.")
	}
	var db *DB
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, domain.Wrap(domain.ErrInvalid, "invalid_database_url", "The database URL cannot be parsed.", err)
		}
		if cfg.ConnectTimeout == 0 {
			cfg.ConnectTimeout = opts.ConnectTimeout
		}
		migrateCfg := cfg.Copy()
		migrateCfg.RuntimeParams["statement_timeout"] = "0"
		if _, ok := cfg.RuntimeParams["statement_timeout"]; !ok {
			cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
		}
		sqlDB := stdlib.OpenDB(*cfg)
		sqlDB.SetMaxOpenConns(opts.MaxConns)
		// Every connection may stay idle: under load a pool that keeps
		// fewer closes and reopens connections (a TCP and startup round
		// trip each) at every burst.
		sqlDB.SetMaxIdleConns(opts.MaxConns)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		db = newDB(sqlDB, DialectPostgres, opts.OperationTimeout)
		db.migrateConfig = migrateCfg
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
		db = newDB(sqlDB, DialectSQLite, opts.OperationTimeout)
		db.path = dsn
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == DialectSQLite && !strings.Contains(dsn, ":memory:") && !strings.Contains(dsn, "mode=memory") {
		// Opened once the writer has created the file in WAL mode. An
		// in-memory database is one connection's own: it keeps none.
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		reader, err := sql.Open("sqlite", dsn+sep+sqliteReaderParams)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres: open %q for reading: %w", dsn, err)
		}
		reader.SetMaxOpenConns(sqliteReaders)
		reader.SetMaxIdleConns(sqliteReaders)
		db.reader, db.readStmts = reader, newStmtCache(reader)
	}
	return db, nil
}

func newDB(sqlDB *sql.DB, dialectName string, opTimeout time.Duration) *DB {
	db := &DB{sql: sqlDB, dialect: dialectName, opTimeout: opTimeout}
	db.fileReads.db = db
	db.client = ent.NewClient(ent.Driver(deadlineDriver{Driver: entsql.OpenDB(dialectName, sqlDB), db: db}))
	return db
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

// Close closes the connection pools.
func (db *DB) Close() error {
	err := db.client.Close()
	if db.reader != nil {
		err = errors.Join(err, db.readStmts.Close(), db.reader.Close())
	}
	return err
}
