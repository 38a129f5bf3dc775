package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
)

// translate maps a database or Ent error to its domain kind: a missing row
// is ErrNotFound, a unique violation ErrExists, a rejected value ErrInvalid,
// a database that cannot be reached ErrUnavailable, a database whose disk is
// full application.InsufficientStorage (ErrUnavailable, 507
// insufficient_storage). Other errors are returned
// unchanged (internal). It is the package's only look at vendor errors.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case domain.KindOf(err) != nil:
		return err
	case ent.IsNotFound(err):
		return domain.Wrap(domain.ErrNotFound, "not_found", "No such record.", err)
	case isUniqueViolation(err):
		return domain.Wrap(domain.ErrExists, "already_exists", "A record with this key already exists.", err)
	case ent.IsValidationError(err):
		return domain.Wrap(domain.ErrInvalid, "invalid_record", "The record has a value the database refuses.", err)
	case isDiskFull(err):
		return application.InsufficientStorage(err)
	case isUnavailable(err):
		return domain.Wrap(domain.ErrUnavailable, domain.CodeDatabaseUnavailable,
			"The database is unavailable; try again later.", err)
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" // unique_violation
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		// SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY, or the
		// audit trail's guard against replacing a row (a trigger that
		// refuses an id already taken: the same violation, raised earlier).
		return liteErr.Code() == 2067 || liteErr.Code() == 1555 ||
			liteErr.Code() == 1811 && strings.Contains(liteErr.Error(), "replacing a row is not allowed")
	}
	return false
}

// isDiskFull reports SQLite's SQLITE_FULL (13: the disk, or the database's
// max_page_count, is full) and PostgreSQL's disk_full (53100).
func isDiskFull(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "53100"
	}
	var liteErr *sqlite.Error
	return errors.As(err, &liteErr) && liteErr.Code()&0xff == 13
}

func isUnavailable(err error) bool {
	var (
		pgErr      *pgconn.PgError
		connectErr *pgconn.ConnectError
		netErr     net.Error
		liteErr    *sqlite.Error
	)
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &connectErr), errors.As(err, &netErr), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		// connection_exception, admin/crash shutdown, cannot connect now,
		// too many connections
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	case errors.As(err, &liteErr):
		switch liteErr.Code() & 0xff {
		case 5, 6, 10, 14: // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN
			return true
		}
	}
	// database/sql does not export the error of a closed pool.
	return strings.Contains(err.Error(), "sql: database is closed")
}
