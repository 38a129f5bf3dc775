package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"storagegw/domain"
)

// sqliteCursor is where SQLite's sealer resumes. On SQLite one writer
// commits every transaction in turn, and a new row's rowid is one past
// the largest, so rowid order is commit order and an event committed
// after a seal always has a rowid above what that seal saw: the events
// still to link are exactly the unlinked ones above a rowid at or below
// which everything is linked. Pending then scans only those, where the
// time window it had to use (an event commits up to a few seconds after
// its timestamp) walked every event of the last 10 s, linked or not, in
// every batch, holding the one writer meanwhile: a third of a signed
// URL's CPU in `make bench-audit`, and its p99.
//
// The cursor is found again from the window the sealer asks for at its
// first seal and whenever that window reaches back further than a minute
// (its wide look-back every 30 s, or all history on a full seal): should
// anything renumber rowids (VACUUM may, in a table without an INTEGER
// PRIMARY KEY), an event left below the cursor is linked then, as the
// window scan alone would have, well within the unsealed grace.
type sqliteCursor struct {
	mu        sync.Mutex
	rowid     int64
	refreshed time.Time // zero: never found
}

// sqliteCursorWide is how far back a window must reach to refresh the
// cursor.
const sqliteCursorWide = time.Minute

// advance records that every event up to rowid is linked (0: nothing
// learned).
func (c *sqliteCursor) advance(rowid int64) {
	if rowid <= 0 {
		return
	}
	c.mu.Lock()
	c.rowid = max(c.rowid, rowid)
	c.mu.Unlock()
}

// sqlitePending is Pending on SQLite: the unlinked events above the
// cursor, in rowid (commit) order.
func (t *sealTx) sqlitePending(ctx context.Context, since time.Time, limit int) ([]*domain.AuditEvent, error) {
	from, err := t.cursorFrom(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit seal cursor: %w", err)
	}
	var out []*domain.AuditEvent
	last := from
	err = t.c.each(ctx, t.q, "SELECT a.rowid, "+t.c.eventColumns()+" FROM storage_audit_logs a WHERE a.rowid > ? AND "+
		unlinked+" ORDER BY a.rowid LIMIT ?", []any{from, limit}, func(rows *sql.Rows) error {
		ev := nullEvent{}
		if err := rows.Scan(append([]any{&last}, ev.dest()...)...); err != nil {
			return err
		}
		e, err := ev.event()
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: pending audit events: %w", err)
	}
	// Everything up to the last event returned is linked once these are;
	// with fewer than limit, everything this transaction sees is.
	t.linkedTo = last
	if len(out) < limit {
		err = t.q.QueryRowContext(ctx, "SELECT COALESCE(MAX(rowid), 0) FROM storage_audit_logs").Scan(&t.linkedTo)
	}
	return out, translate(err)
}

// cursorFrom is the rowid to scan from: the cursor, found again from
// since (zero: all history) when it is new or due for a refresh.
func (t *sealTx) cursorFrom(ctx context.Context, since time.Time) (int64, error) {
	c := &t.c.cursor
	c.mu.Lock()
	wide := since.IsZero() || time.Since(since) > sqliteCursorWide
	rowid, due := c.rowid, c.refreshed.IsZero() || wide
	c.mu.Unlock()
	if !due {
		return rowid, nil
	}
	window, args := "1 = 1", []any{}
	if !since.IsZero() {
		window, args = "a.timestamp >= ?", []any{dbTime(since)}
	}
	// In one walk of the window: its first unlinked event and its first
	// event.
	var firstUnlinked, first sql.NullInt64
	if err := t.q.QueryRowContext(ctx, "SELECT MIN(CASE WHEN "+unlinked+" THEN a.rowid END), MIN(a.rowid) "+
		"FROM storage_audit_logs a WHERE "+window, args...).Scan(&firstUnlinked, &first); err != nil {
		return 0, translate(err)
	}
	from := rowid
	switch {
	case firstUnlinked.Valid: // resume just below it
		from = firstUnlinked.Int64 - 1
	case rowid == 0 && first.Valid: // everything in it is linked: start below it
		from = first.Int64 - 1
	}
	c.mu.Lock()
	c.rowid, c.refreshed = from, time.Now()
	c.mu.Unlock()
	return from, nil
}
