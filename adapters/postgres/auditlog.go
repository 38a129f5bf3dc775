package postgres

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/auditevent"
	"storagegw/ent/predicate"
)

var _ application.LinkIssuingLog = (*AuditLog)(nil)

// AuditLog is the application.AuditLog on the storage_audit_logs table. It
// only inserts and reads; the database itself refuses updates and deletes.
// Append and Query run in the transaction ctx carries (DB.InTx), if any:
// a change's event commits with the change.
type AuditLog struct {
	db *DB
}

// NewAuditLog returns the audit trail of db.
func NewAuditLog(db *DB) *AuditLog { return &AuditLog{db: db} }

// c is the client of ctx: its transaction's or the pool's.
func (a *AuditLog) c(ctx context.Context) *ent.Client { return a.db.clientFor(ctx) }

// Append inserts e.
func (a *AuditLog) Append(ctx context.Context, e *domain.AuditEvent) error {
	if err := auditRow(a.c(ctx).AuditEvent.Create(), e).Exec(ctx); err != nil {
		return fmt.Errorf("postgres: append audit event %q: %w", e.ID(), translate(err))
	}
	return nil
}

// AppendIssuing inserts l and e in one transaction (ctx's, if it carries
// one).
func (a *AuditLog) AppendIssuing(ctx context.Context, l *domain.Link, e *domain.AuditEvent) error {
	return a.db.InTx(ctx, func(ctx context.Context) error {
		if err := linkRow(a.c(ctx).SignedLink.Create(), l).Exec(ctx); err != nil {
			return fmt.Errorf("postgres: create link of audit event %q: %w", e.ID(), translate(err))
		}
		return a.Append(ctx, e)
	})
}

// auditRow sets the columns of e's row on c: the one mapping of an event
// to its row, for single and batched inserts alike.
func auditRow(c *ent.AuditEventCreate, e *domain.AuditEvent) *ent.AuditEventCreate {
	d := e.Data()
	c.SetID(d.ID).
		SetTimestamp(dbTime(d.Timestamp)).
		SetOrgID(d.Actor.OrgID).
		SetUserID(d.Actor.UserID).
		SetUserRole(string(d.Actor.Role)).
		SetIPAddress(d.Actor.IP).
		SetUserAgent(d.Actor.UserAgent).
		SetActionType(string(d.Action)).
		SetFilePath(d.FilePath).
		SetRelatedObjectType(d.RelatedObjectType).
		SetRelatedObjectID(d.RelatedObjectID).
		SetSuccess(d.Success).
		SetErrorMessage(d.ErrorMessage)
	if d.Metadata != nil {
		c.SetMetadata(d.Metadata)
	}
	return c
}

// Query returns a page of q.OrgID's events, newest first, keyset-paginated
// on (timestamp, id). A Limit below 1 is domain.ErrInvalid.
func (a *AuditLog) Query(ctx context.Context, q application.AuditQuery) ([]*domain.AuditEvent, error) {
	if q.OrgID == "" || q.Limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_audit_query", "An audit query needs an org and a positive limit.")
	}
	where := []predicate.AuditEvent{auditevent.OrgID(q.OrgID)}
	for _, f := range []struct {
		value string
		pred  func(string) predicate.AuditEvent
	}{
		{q.UserID, auditevent.UserID},
		{string(q.Action), auditevent.ActionType},
		{q.FilePath, auditevent.FilePath},
		{q.RelatedObjectType, auditevent.RelatedObjectType},
		{q.RelatedObjectID, auditevent.RelatedObjectID},
	} {
		if f.value != "" {
			where = append(where, f.pred(f.value))
		}
	}
	if q.Success != nil {
		where = append(where, auditevent.Success(*q.Success))
	}
	if !q.From.IsZero() {
		where = append(where, auditevent.TimestampGTE(dbTime(q.From)))
	}
	if !q.To.IsZero() {
		where = append(where, auditevent.TimestampLT(dbTime(q.To)))
	}
	if c := q.After; c != nil {
		ts := dbTime(c.Timestamp)
		where = append(where, auditevent.Or(
			auditevent.TimestampLT(ts),
			auditevent.And(auditevent.Timestamp(ts), auditevent.IDLT(c.ID)),
		))
	}
	rows, err := a.c(ctx).AuditEvent.Query().
		Where(where...).
		Order(auditevent.ByTimestamp(sql.OrderDesc()), auditevent.ByID(sql.OrderDesc())).
		Limit(q.Limit).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: query audit events of %q: %w", q.OrgID, translate(err))
	}
	out := make([]*domain.AuditEvent, len(rows))
	for i, row := range rows {
		out[i] = toEvent(row)
	}
	return out, nil
}
