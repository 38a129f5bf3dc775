package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"syscall"

	"storagegw/application"
)

var _ application.StoreSweepLock = (*Sessions)(nil)

// storeSweepLockKey is the PostgreSQL advisory lock of the store sweep.
const storeSweepLockKey = int64(0x73746f72_65737765) // "storeswe"

// LockStoreSweep takes the store sweep of every process on this
// database: on PostgreSQL a session advisory lock on a connection of its
// own, held until unlock; on SQLite an exclusive flock of a file beside
// the database file (every process of one SQLite database is on its
// machine). ok is false when another holder has it.
func (r *Sessions) LockStoreSweep(ctx context.Context) (unlock func(), ok bool, err error) {
	if r.db.dialect == DialectSQLite {
		return lockFile(r.db.path + ".store-sweep.lock")
	}
	conn, err := r.db.sql.Conn(ctx)
	if err != nil {
		return nil, false, translate(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", storeSweepLockKey).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, translate(err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.db.opTimeout)
		defer cancel()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", storeSweepLockKey); err != nil {
			// The session would keep the lock: drop the connection
			// instead of giving it back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, true, nil
}

// lockFile takes an exclusive flock of path without waiting.
func lockFile(path string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: open lock file %q: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("postgres: lock %q: %w", path, err)
	}
	return func() { f.Close() }, true, nil
}
