package postgres

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache runs the SELECTs of SQLite's read-only connections as
// prepared statements kept by their text. SQLite otherwise parses and
// plans every statement anew, which cost a file record's lookup more than
// running it (a third of a signed URL's CPU). database/sql prepares a
// statement once on each connection that runs it. Ent writes the same
// text for the same query shape, so few are kept; past maxCachedStmts the
// others run unprepared, so no query text a client can vary grows it.
type stmtCache struct {
	db *sql.DB

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxCachedStmts = 128

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// QueryContext is sql.DB's, through the statement kept for query.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// ExecContext is sql.DB's (the read-only connections refuse writes).
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.db.ExecContext(ctx, query, args...)
}

// stmt is the statement kept for query, prepared now if it is new and
// there is room; nil when there is none.
func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, full := c.stmts[query], len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if st != nil || full {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[query]; st != nil || len(c.stmts) >= maxCachedStmts {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// Close closes the kept statements.
func (c *stmtCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	for q, st := range c.stmts {
		err = errors.Join(err, st.Close())
		delete(c.stmts, q)
	}
	return err
}
