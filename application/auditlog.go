package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// AuditLog is the append-only audit trail. Nothing in the service updates or
// removes an event once appended.
type AuditLog interface {
	// Append stores e. An event whose id exists is domain.ErrExists. A
	// database that cannot be reached is domain.ErrUnavailable (wrapped).
	Append(ctx context.Context, e *domain.AuditEvent) error

	// Query returns up to q.Limit events of q.OrgID matching every set
	// filter, newest first (timestamp, then id, descending), starting after
	// q.After when it is set. An empty OrgID or a Limit below 1 is
	// domain.ErrInvalid.
	Query(ctx context.Context, q AuditQuery) ([]*domain.AuditEvent, error)
}

// LinkIssuingLog is an AuditLog that can also store the link of a new
// signed URL (domain.Link) together with the event that records its issue,
// in one commit: both are stored or neither is. The link goes to the
// database of the Links the application keeps (EnableLinks), which must be
// this log's. SignURL uses it when the log has it, so issuing a URL costs
// one commit, not two; without it the link is created first and the event
// appended after.
type LinkIssuingLog interface {
	AuditLog
	// AppendIssuing stores l and e in one commit (in the transaction ctx
	// carries, if any). An event id or link id already taken is
	// domain.ErrExists, and then neither is stored; a database that cannot
	// be reached is domain.ErrUnavailable (wrapped), and neither is stored
	// either, though a caller whose ctx ended first may not know.
	AppendIssuing(ctx context.Context, l *domain.Link, e *domain.AuditEvent) error
}

// AuditQuery filters the audit trail of one org. Empty fields do not filter.
type AuditQuery struct {
	OrgID             string // required
	UserID            string
	Action            domain.Action
	FilePath          string
	RelatedObjectType string
	RelatedObjectID   string
	Success           *bool
	From, To          time.Time // inclusive From, exclusive To
	Limit             int
	After             *AuditCursor
}

// AuditCursor is the position after which the next page starts: the
// timestamp and id of the last event of the previous page.
type AuditCursor struct {
	Timestamp time.Time
	ID        string
}
