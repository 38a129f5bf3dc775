package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

var _ application.AuditChain = (*AuditChain)(nil)

// sealLockKey is the PostgreSQL advisory lock the sealer holds for its
// transaction: one sealer per cluster ("STGWSEAL").
const sealLockKey int64 = 0x5354475753454130

// chainPage is how many links or checkpoints a walk reads per query.
const chainPage = 1000

// AuditChain is the application.AuditChain on storage_audit_chain and
// storage_audit_checkpoints, in plain SQL: the sealer's rule needs the
// rows' inserting transaction (xmin), and hashes cover the metadata as the
// database stores it.
type AuditChain struct {
	db *DB
	// cursor, on SQLite, is a rowid of storage_audit_logs at or below
	// which every event is linked (see sealTx.Pending); zero until the
	// first seal establishes it.
	cursor sqliteCursor
}

// NewAuditChain returns the audit chain of db.
func NewAuditChain(db *DB) *AuditChain { return &AuditChain{db: db} }

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Seal runs fn in a transaction. On PostgreSQL it first takes the
// transaction-scoped advisory lock sealLockKey and gives up (false) when
// another sealer holds it; on SQLite the transaction takes the database's
// write lock up front (BEGIN IMMEDIATE), so sealers simply take turns.
// The whole transaction runs under one operation deadline.
func (c *AuditChain) Seal(ctx context.Context, fn func(ctx context.Context, tx application.SealTx) error) (bool, error) {
	ctx, cancel := c.db.withDeadline(ctx)
	defer cancel()
	tx, err := c.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("postgres: begin seal: %w", translate(err))
	}
	defer tx.Rollback()
	if c.pg() {
		var got bool
		if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock($1)", sealLockKey).Scan(&got); err != nil {
			return false, fmt.Errorf("postgres: seal lock: %w", translate(err))
		}
		if !got {
			return false, nil
		}
	}
	st := &sealTx{c: c, q: tx}
	if err := fn(ctx, st); err != nil {
		return true, err
	}
	if err := tx.Commit(); err != nil {
		return true, fmt.Errorf("postgres: commit seal: %w", translate(err))
	}
	c.cursor.advance(st.linkedTo)
	return true, nil
}

func (c *AuditChain) pg() bool { return c.db.dialect == DialectPostgres }

// sql rewrites the ? placeholders of query as $1, $2, … on PostgreSQL.
func (c *AuditChain) sql(query string) string {
	if !c.pg() {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// eventColumns are an audit row's columns, prefixed a., metadata as text.
func (c *AuditChain) eventColumns() string {
	meta := "a.metadata"
	if c.pg() {
		meta = "a.metadata::text"
	}
	return "a.id, a.timestamp, a.org_id, a.user_id, a.user_role, a.ip_address, a.user_agent, a.action_type, " +
		"a.file_path, a.related_object_type, a.related_object_id, " + meta + ", a.success, a.error_message"
}

const unlinked = "NOT EXISTS (SELECT 1 FROM storage_audit_chain c WHERE c.event_id = a.id)"

// Orgs lists the orgs of the events and of the links.
func (c *AuditChain) Orgs(ctx context.Context) ([]string, error) {
	ctx, cancel := c.db.withDeadline(ctx)
	defer cancel()
	rows, err := c.db.sql.QueryContext(ctx,
		"SELECT org_id FROM storage_audit_logs UNION SELECT org_id FROM storage_audit_chain ORDER BY 1")
	if err != nil {
		return nil, fmt.Errorf("postgres: audit orgs: %w", translate(err))
	}
	defer rows.Close()
	var orgs []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("postgres: audit orgs: %w", translate(err))
		}
		orgs = append(orgs, o)
	}
	return orgs, translate(rows.Err())
}

// Links walks org's links page by page, each page read before fn runs.
func (c *AuditChain) Links(ctx context.Context, org string, afterSeq int64,
	fn func(domain.ChainLink, *domain.AuditEvent) error) error {
	query := c.sql("SELECT c.event_id, c.org_id, c.seq, c.prev_hash, c.hash, c.sealed_at, a.id IS NOT NULL, " +
		c.eventColumns() + " FROM storage_audit_chain c LEFT JOIN storage_audit_logs a ON a.id = c.event_id " +
		"WHERE c.org_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?")
	for {
		type linked struct {
			l domain.ChainLink
			e *domain.AuditEvent
		}
		var page []linked
		err := c.each(ctx, c.db.sql, query, []any{org, afterSeq, chainPage}, func(rows *sql.Rows) error {
			var l domain.ChainLink
			var found bool
			ev := nullEvent{}
			if err := rows.Scan(append([]any{&l.EventID, &l.OrgID, &l.Seq, &l.PrevHash, &l.Hash, &l.SealedAt, &found},
				ev.dest()...)...); err != nil {
				return err
			}
			var e *domain.AuditEvent
			if found {
				var err error
				if e, err = ev.event(); err != nil {
					return err
				}
			}
			page = append(page, linked{l, e})
			return nil
		})
		if err != nil {
			return fmt.Errorf("postgres: audit chain of %q: %w", org, err)
		}
		for _, p := range page {
			if err := fn(p.l, p.e); err != nil {
				return err
			}
			afterSeq = p.l.Seq
		}
		if len(page) < chainPage {
			return nil
		}
	}
}

// Unlinked returns org's oldest events before before without a link.
func (c *AuditChain) Unlinked(ctx context.Context, org string, before time.Time, limit int) ([]*domain.AuditEvent, error) {
	events, err := c.events(ctx, c.db.sql, "a.org_id = ? AND a.timestamp < ? AND "+unlinked,
		[]any{org, dbTime(before)}, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: unsealed audit events of %q: %w", org, err)
	}
	return events, nil
}

// Checkpoints walks org's checkpoints page by page.
func (c *AuditChain) Checkpoints(ctx context.Context, org string, fn func(domain.SignedCheckpoint) error) error {
	after := int64(0)
	for {
		page, err := c.checkpoints(ctx, c.db.sql, org, after, chainPage, false)
		if err != nil {
			return err
		}
		for _, cp := range page {
			if err := fn(cp); err != nil {
				return err
			}
			after = cp.Seq
		}
		if len(page) < chainPage {
			return nil
		}
	}
}

// LatestCheckpoint returns org's newest checkpoint.
func (c *AuditChain) LatestCheckpoint(ctx context.Context, org string) (domain.SignedCheckpoint, error) {
	return c.latestCheckpoint(ctx, c.db.sql, org)
}

func (c *AuditChain) latestCheckpoint(ctx context.Context, q querier, org string) (domain.SignedCheckpoint, error) {
	page, err := c.checkpoints(ctx, q, org, 0, 1, true)
	if err != nil {
		return domain.SignedCheckpoint{}, err
	}
	if len(page) == 0 {
		return domain.SignedCheckpoint{}, domain.Errorf(domain.ErrNotFound, "no_checkpoint",
			"No checkpoint of this org's audit trail has been signed yet.")
	}
	return page[0], nil
}

func (c *AuditChain) checkpoints(ctx context.Context, q querier, org string, after int64, limit int, newest bool) ([]domain.SignedCheckpoint, error) {
	order := "seq > ? ORDER BY seq"
	if newest {
		order = "seq > ? ORDER BY seq DESC"
	}
	var out []domain.SignedCheckpoint
	err := c.each(ctx, q, c.sql("SELECT org_id, seq, head_hash, created_at, key_id, signature FROM storage_audit_checkpoints "+
		"WHERE org_id = ? AND "+order+" LIMIT ?"), []any{org, after, limit}, func(rows *sql.Rows) error {
		var cp domain.SignedCheckpoint
		var sig string
		if err := rows.Scan(&cp.OrgID, &cp.Seq, &cp.HeadHash, &cp.Time, &cp.KeyID, &sig); err != nil {
			return err
		}
		cp.Time = dbTime(cp.Time)
		var err error
		cp.Signature, err = decodeSignature(sig)
		out = append(out, cp)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit checkpoints of %q: %w", org, err)
	}
	return out, nil
}

// events returns up to limit events matching where, by timestamp and id.
func (c *AuditChain) events(ctx context.Context, q querier, where string, args []any, limit int) ([]*domain.AuditEvent, error) {
	var out []*domain.AuditEvent
	err := c.each(ctx, q, c.sql("SELECT "+c.eventColumns()+" FROM storage_audit_logs a WHERE "+where+
		" ORDER BY a.timestamp, a.id LIMIT ?"), append(args, limit), func(rows *sql.Rows) error {
		ev := nullEvent{}
		if err := rows.Scan(ev.dest()...); err != nil {
			return err
		}
		e, err := ev.event()
		out = append(out, e)
		return err
	})
	return out, err
}

// each runs query and calls fn on every row, under one operation
// deadline.
func (c *AuditChain) each(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	ctx, cancel := c.db.withDeadline(ctx)
	defer cancel()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return translate(err)
		}
	}
	return translate(rows.Err())
}
