package memrepo

import (
	"context"
	"slices"
	"sort"
	"sync"

	"storagegw/application"
	"storagegw/domain"
)

// Audit is an in-memory, append-only application.AuditLog.
type Audit struct {
	mu     sync.Mutex
	events []domain.AuditEventData
	ids    map[string]bool
}

var _ application.AuditLog = (*Audit)(nil)

// NewAudit returns an empty audit log.
func NewAudit() *Audit { return &Audit{ids: map[string]bool{}} }

// Append implements application.AuditLog.
func (a *Audit) Append(ctx context.Context, e *domain.AuditEvent) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	d := e.Data()
	if a.ids[d.ID] {
		return domain.Errorf(domain.ErrExists, "audit_event_exists", "An audit event with this id exists.")
	}
	a.ids[d.ID] = true
	a.events = append(a.events, d)
	onRollback(ctx, func() { a.remove(d.ID) })
	return nil
}

// remove takes back the event id of a transaction that failed.
func (a *Audit) remove(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.ids, id)
	a.events = slices.DeleteFunc(a.events, func(d domain.AuditEventData) bool { return d.ID == id })
}

// Events returns every event in append order (a test helper).
func (a *Audit) Events() []*domain.AuditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*domain.AuditEvent, len(a.events))
	for i, d := range a.events {
		out[i] = domain.RehydrateAuditEvent(d)
	}
	return out
}

// Query implements application.AuditLog.
func (a *Audit) Query(_ context.Context, q application.AuditQuery) ([]*domain.AuditEvent, error) {
	if q.OrgID == "" || q.Limit <= 0 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "An audit query needs an org and a positive limit.")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var hits []domain.AuditEventData
	for _, d := range a.events {
		if matches(d, q) {
			hits = append(hits, d)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return newer(hits[i], hits[j]) })
	out := []*domain.AuditEvent{}
	for _, d := range hits {
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
		out = append(out, domain.RehydrateAuditEvent(d))
	}
	return out, nil
}

func newer(a, b domain.AuditEventData) bool {
	if !a.Timestamp.Equal(b.Timestamp) {
		return a.Timestamp.After(b.Timestamp)
	}
	return a.ID > b.ID
}

func matches(d domain.AuditEventData, q application.AuditQuery) bool {
	switch {
	case d.Actor.OrgID != q.OrgID,
		q.UserID != "" && d.Actor.UserID != q.UserID,
		q.Action != "" && d.Action != q.Action,
		q.FilePath != "" && d.FilePath != q.FilePath,
		q.RelatedObjectType != "" && d.RelatedObjectType != q.RelatedObjectType,
		q.RelatedObjectID != "" && d.RelatedObjectID != q.RelatedObjectID,
		q.Success != nil && d.Success != *q.Success,
		!q.From.IsZero() && d.Timestamp.Before(q.From),
		!q.To.IsZero() && !d.Timestamp.Before(q.To):
		return false
	case q.After != nil:
		cur := domain.AuditEventData{Timestamp: q.After.Timestamp, ID: q.After.ID}
		return newer(cur, d)
	}
	return true
}
