package postgres

import (
	"context"
	"fmt"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
)

var _ application.Transactor = (*DB)(nil)

// txKey carries a transaction of one DB in a context.
type txKey struct{}

// ctxTx is the transaction a context carries and the DB it belongs to, so
// that a repository of another DB never picks it up.
type ctxTx struct {
	db *DB
	tx *ent.Tx
}

// InTx implements application.Transactor with an Ent transaction. On
// SQLite the transaction takes the write lock when it begins
// (_txlock=immediate) and holds the pool's single connection: the
// repositories run their statements on it through client, and every other
// caller waits for the transaction to end. The whole transaction, its
// commit included, runs under one operation deadline (DB.withDeadline).
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.inTxOf(ctx, false, fn)
}

// inSnapshot is InTx in one snapshot of the database: REPEATABLE READ on
// PostgreSQL (SQLite's transactions are serialised anyway). Inside a
// transaction of db fn joins it, whatever its isolation.
func (db *DB) inSnapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.inTxOf(ctx, true, fn)
}

func (db *DB) inTxOf(ctx context.Context, snapshot bool, fn func(ctx context.Context) error) error {
	if cur, ok := ctx.Value(txKey{}).(ctxTx); ok && cur.db == db {
		return fn(ctx)
	}
	ctx, cancel := db.withDeadline(ctx)
	defer cancel()
	tx, err := db.client.Tx(ctx)
	if err != nil {
		return unavailable("begin transaction", err)
	}
	done := false
	defer func() {
		if !done { // fn failed or panicked: a rollback that fails (the connection broke) commits nothing either
			_ = tx.Rollback()
		}
	}()
	if snapshot && db.dialect == DialectPostgres {
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
			return unavailable("begin transaction", err)
		}
	}
	if err := fn(context.WithValue(ctx, txKey{}, ctxTx{db: db, tx: tx})); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return unavailable("commit transaction", err)
	}
	return nil
}

// clientFor is the Ent client to run ctx's statements with: the transaction's
// when ctx carries one of db, else the pool's.
func (db *DB) clientFor(ctx context.Context) *ent.Client {
	if cur, ok := ctx.Value(txKey{}).(ctxTx); ok && cur.db == db {
		return cur.tx.Client()
	}
	return db.client
}

// inTx reports whether ctx carries a transaction of db.
func (db *DB) inTx(ctx context.Context) bool {
	cur, ok := ctx.Value(txKey{}).(ctxTx)
	return ok && cur.db == db
}

// unavailable wraps a failure to begin or commit as domain.ErrUnavailable,
// whatever the driver said.
func unavailable(op string, err error) error {
	err = fmt.Errorf("postgres: %s: %w", op, translate(err))
	if domain.KindOf(err) != nil {
		return err
	}
	return domain.Wrap(domain.ErrUnavailable, "database_unavailable", "The database is unavailable; try again later.", err)
}
