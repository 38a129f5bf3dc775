package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"storagegw/domain"
)

// settled is the sealer's rule on PostgreSQL: the row's inserting
// transaction (xmin) precedes the oldest transaction still running
// (pg_snapshot_xmin of the statement's snapshot), so it committed before
// the snapshot was taken and no running transaction can insert a row
// before it; rows of any transaction still in flight have an xmin at or
// past that horizon. xids are 32-bit and wrap: the difference is taken
// modulo 2^32 and must be in (0, 2^31), PostgreSQL's own rule.
const settled = "((SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint) % 4294967296" +
	" - a.xmin::text::bigint + 4294967296) % 4294967296 BETWEEN 1 AND 2147483647"

// sealTx is the sealer's view inside its transaction.
type sealTx struct {
	c *AuditChain
	q querier
	// linkedTo, on SQLite, is the rowid up to which every event is
	// linked once this transaction commits (0: unknown).
	linkedTo int64
}

// Pending returns the settled events without a link. On SQLite every
// visible row is settled: the seal transaction holds the write lock, so no
// other transaction is in flight; and it answers from a cursor instead of
// since (sqlitePending).
func (t *sealTx) Pending(ctx context.Context, since time.Time, limit int) ([]*domain.AuditEvent, error) {
	if !t.c.pg() {
		return t.sqlitePending(ctx, since, limit)
	}
	where, args := unlinked, []any{}
	if !since.IsZero() {
		where, args = "a.timestamp >= ? AND "+where, append(args, dbTime(since))
	}
	if t.c.pg() {
		where += " AND " + settled
	}
	events, err := t.c.events(ctx, t.q, where, args, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending audit events: %w", err)
	}
	return events, nil
}

// Head returns org's last link.
func (t *sealTx) Head(ctx context.Context, org string) (domain.ChainLink, error) {
	links, err := t.links(ctx, "c.org_id = ? ORDER BY c.seq DESC LIMIT 1", org)
	if err != nil {
		return domain.ChainLink{}, fmt.Errorf("postgres: audit chain head of %q: %w", org, err)
	}
	if len(links) == 0 {
		return domain.ChainLink{OrgID: org, PrevHash: domain.GenesisHash, Hash: domain.GenesisHash}, nil
	}
	return links[0], nil
}

// RecentHeads returns the last link of every org linked since since.
func (t *sealTx) RecentHeads(ctx context.Context, since time.Time) ([]domain.ChainLink, error) {
	links, err := t.links(ctx, "(c.org_id, c.seq) IN (SELECT org_id, MAX(seq) FROM storage_audit_chain "+
		"WHERE sealed_at >= ? GROUP BY org_id) ORDER BY c.org_id", dbTime(since))
	if err != nil {
		return nil, fmt.Errorf("postgres: recent audit chain heads: %w", err)
	}
	return links, nil
}

func (t *sealTx) links(ctx context.Context, where string, args ...any) ([]domain.ChainLink, error) {
	var out []domain.ChainLink
	err := t.c.each(ctx, t.q, t.c.sql("SELECT c.event_id, c.org_id, c.seq, c.prev_hash, c.hash, c.sealed_at "+
		"FROM storage_audit_chain c WHERE "+where), args, func(rows *sql.Rows) error {
		var l domain.ChainLink
		err := rows.Scan(&l.EventID, &l.OrgID, &l.Seq, &l.PrevHash, &l.Hash, &l.SealedAt)
		out = append(out, l)
		return err
	})
	return out, err
}

// AppendLinks inserts links, a few hundred per statement.
func (t *sealTx) AppendLinks(ctx context.Context, links []domain.ChainLink) error {
	const perStatement = 500
	for len(links) > 0 {
		n := min(len(links), perStatement)
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ")
		args := make([]any, 0, 6*n)
		for _, l := range links[:n] {
			args = append(args, l.EventID, l.OrgID, l.Seq, l.PrevHash, l.Hash, dbTime(l.SealedAt))
		}
		if _, err := t.q.ExecContext(ctx, t.c.sql("INSERT INTO storage_audit_chain "+
			"(event_id, org_id, seq, prev_hash, hash, sealed_at) VALUES "+values), args...); err != nil {
			return fmt.Errorf("postgres: append audit chain links: %w", translate(err))
		}
		links = links[n:]
	}
	return nil
}

// LatestCheckpoint returns org's newest checkpoint inside the seal.
func (t *sealTx) LatestCheckpoint(ctx context.Context, org string) (domain.SignedCheckpoint, error) {
	return t.c.latestCheckpoint(ctx, t.q, org)
}

// AppendCheckpoint inserts cp.
func (t *sealTx) AppendCheckpoint(ctx context.Context, cp domain.SignedCheckpoint) error {
	_, err := t.q.ExecContext(ctx, t.c.sql("INSERT INTO storage_audit_checkpoints "+
		"(org_id, seq, head_hash, created_at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)"),
		cp.OrgID, cp.Seq, cp.HeadHash, dbTime(cp.Time), cp.KeyID, base64.StdEncoding.EncodeToString(cp.Signature))
	if err != nil {
		return fmt.Errorf("postgres: append audit checkpoint %s/%d: %w", cp.OrgID, cp.Seq, translate(err))
	}
	return nil
}

func decodeSignature(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, domain.Wrap(domain.ErrInvalid, "bad_checkpoint_signature", "A stored checkpoint signature is not base64.", err)
	}
	return b, nil
}

// nullEvent scans an audit row that a LEFT JOIN may have left all NULL.
type nullEvent struct {
	id, org, user, role, ip, agent, action, path, objType, objID, meta, errMsg sql.NullString
	ts                                                                         sql.NullTime
	success                                                                    sql.NullBool
}

func (n *nullEvent) dest() []any {
	return []any{&n.id, &n.ts, &n.org, &n.user, &n.role, &n.ip, &n.agent, &n.action, &n.path, &n.objType, &n.objID,
		&n.meta, &n.success, &n.errMsg}
}

// event rebuilds the event, its metadata decoded with json.Number so that
// numbers keep the text they are stored as (domain.CanonicalJSON).
func (n *nullEvent) event() (*domain.AuditEvent, error) {
	var meta map[string]any
	if n.meta.Valid {
		dec := json.NewDecoder(bytes.NewReader([]byte(n.meta.String)))
		dec.UseNumber()
		if err := dec.Decode(&meta); err != nil {
			return nil, fmt.Errorf("metadata of audit event %q: %w", n.id.String, err)
		}
	}
	return domain.RehydrateAuditEvent(domain.AuditEventData{
		ID:        n.id.String,
		Timestamp: dbTime(n.ts.Time),
		Actor: domain.Actor{UserID: n.user.String, Role: domain.Role(n.role.String), OrgID: n.org.String,
			IP: n.ip.String, UserAgent: n.agent.String},
		Action: domain.Action(n.action.String), FilePath: n.path.String,
		RelatedObjectType: n.objType.String, RelatedObjectID: n.objID.String,
		Metadata: meta, Success: n.success.Bool, ErrorMessage: n.errMsg.String,
	}), nil
}
