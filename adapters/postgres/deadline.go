package postgres

import (
	"context"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// withDeadline bounds one operation on the database by the operation
// timeout, so a database that stops answering (packets dropped, no TCP
// error) fails the caller with domain.ErrUnavailable (translate maps
// context.DeadlineExceeded) instead of holding it. A deadline ctx already
// has that is earlier stays.
func (db *DB) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if db.opTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, db.opTimeout)
}

// deadlineDriver is the Ent driver of a DB: every statement Ent runs
// outside a transaction gets the operation deadline (a query's until its
// rows are closed). A transaction's statements run under the deadline of
// the whole transaction, which DB.InTx sets.
type deadlineDriver struct {
	dialect.Driver
	db *DB
}

func (d deadlineDriver) Exec(ctx context.Context, query string, args, v any) error {
	ctx, cancel := d.db.withDeadline(ctx)
	defer cancel()
	return d.Driver.Exec(ctx, query, args, v)
}

// Query runs a statement that returns rows. On SQLite a SELECT goes to
// the read-only connections (DB.reader), as a prepared statement
// (stmtCache): outside a transaction it needs no write lock, and WAL
// shows it every committed write. Anything else (an INSERT … RETURNING)
// stays on the writer.
func (d deadlineDriver) Query(ctx context.Context, query string, args, v any) error {
	ctx, cancel := d.db.withDeadline(ctx)
	var drv interface {
		Query(ctx context.Context, query string, args, v any) error
	} = d.Driver
	if d.db.reader != nil && isSelect(query) {
		drv = entsql.Conn{ExecQuerier: d.db.readStmts}
	}
	if err := drv.Query(ctx, query, args, v); err != nil {
		cancel()
		return err
	}
	rows, ok := v.(*entsql.Rows)
	if !ok { // not a row set this driver knows how to follow: nothing left to read
		cancel()
		return nil
	}
	rows.ColumnScanner = cancelOnClose{rows.ColumnScanner, cancel}
	return nil
}

// isSelect reports whether query is a plain SELECT.
func isSelect(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// cancelOnClose releases a query's deadline when its rows are closed.
type cancelOnClose struct {
	entsql.ColumnScanner
	cancel context.CancelFunc
}

func (r cancelOnClose) Close() error {
	defer r.cancel()
	return r.ColumnScanner.Close()
}
