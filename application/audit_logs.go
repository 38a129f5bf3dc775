package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// AuditLogsQuery filters the caller's org's audit trail. Empty fields do
// not filter.
type AuditLogsQuery struct {
	Caller            Caller
	UserID            string
	ActionType        string
	FilePath          string
	RelatedObjectType string
	RelatedObjectID   string
	Success           *bool
	From, To          time.Time
	Limit             *int // nil = 100; 1 to 500
	Cursor            string
}

// AuditPage is one page of audit events, newest first.
type AuditPage struct {
	Items      []*domain.AuditEvent
	NextCursor string
}

// AuditLogs reads the audit trail of the caller's own org.
type AuditLogs struct {
	*deps
}

// Handle returns a page of events and audits the query itself (AUDIT_QUERY).
func (a *AuditLogs) Handle(ctx context.Context, q AuditLogsQuery) (AuditPage, error) {
	e := entry{action: domain.ActionAuditQuery, path: q.FilePath, metadata: map[string]any{}}
	page, err := a.run(ctx, q, &e)
	if err := a.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return AuditPage{}, err
	}
	return page, nil
}

func (a *AuditLogs) run(ctx context.Context, q AuditLogsQuery, e *entry) (AuditPage, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermReadAudit); err != nil {
		return AuditPage{}, err
	}
	if err := domain.CheckTexts(domain.TextField{Name: "user_id", Value: q.UserID},
		domain.TextField{Name: "action_type", Value: q.ActionType}, domain.TextField{Name: "file_path", Value: q.FilePath},
		domain.TextField{Name: "related_object_type", Value: q.RelatedObjectType},
		domain.TextField{Name: "related_object_id", Value: q.RelatedObjectID}); err != nil {
		return AuditPage{}, err
	}
	limit, err := pageLimit(q.Limit, 100, 500)
	if err != nil {
		return AuditPage{}, err
	}
	aq := AuditQuery{OrgID: p.OrgID, UserID: q.UserID, FilePath: q.FilePath,
		RelatedObjectType: q.RelatedObjectType, RelatedObjectID: q.RelatedObjectID,
		Success: q.Success, From: q.From, To: q.To, Limit: limit + 1}
	if q.ActionType != "" {
		if aq.Action, err = domain.ParseAction(q.ActionType); err != nil {
			return AuditPage{}, err
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return AuditPage{}, domain.Errorf(domain.ErrInvalid, "invalid_time_range", "from must be before to.")
	}
	if q.Cursor != "" {
		if aq.After, err = decodeAuditCursor(q.Cursor, aq); err != nil {
			return AuditPage{}, err
		}
	}
	events, err := a.audit.log.Query(ctx, aq)
	if err != nil {
		return AuditPage{}, err
	}
	page := AuditPage{Items: events}
	if len(events) > limit {
		page.Items = events[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeAuditCursor(AuditCursor{Timestamp: last.Timestamp(), ID: last.ID()}, aq)
	}
	e.metadata["count"] = len(page.Items)
	return page, nil
}
