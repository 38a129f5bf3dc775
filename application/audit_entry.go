package application

import (
	"context"

	"storagegw/domain"
)

// entry is the draft of the audit event of one use-case call: what the
// use case knows about it as it runs. The auditor completes and writes it.
type entry struct {
	action   domain.Action
	path     string
	objType  string
	objID    string
	metadata map[string]any
}

// forPath fills the related-object fields from a parsed path.
func (e *entry) forPath(p domain.StoragePath) {
	e.path = p.String()
	e.objType = string(p.ObjectType())
	e.objID = p.ObjectID()
}

// auditor writes the one audit event of each use-case call.
type auditor struct {
	log    AuditLog
	clock  Clock
	report func(ctx context.Context, op string, err error)
}

// record appends the event describing a call that ended with opErr (nil on
// success). It returns an error only when the event could not be written;
// the message of a failed call is its public message, never internals.
func (a auditor) record(ctx context.Context, c Caller, e entry, opErr error) error {
	d := domain.AuditEventData{
		ID: newID(), Timestamp: a.clock.Now(), Actor: c.actor(), Action: e.action,
		FilePath: e.path, RelatedObjectType: e.objType, RelatedObjectID: e.objID,
		Metadata: e.metadata, Success: opErr == nil,
	}
	if opErr != nil {
		code, msg := domain.PublicMessage(opErr)
		d.ErrorMessage = code + ": " + msg
	}
	ev, err := domain.NewAuditEvent(d)
	if err != nil {
		return err
	}
	actx, cancel := detached(ctx)
	defer cancel()
	if err := a.log.Append(actx, ev); err != nil {
		return domain.Wrap(domain.ErrUnavailable, "audit_unavailable",
			"The audit trail could not be written; try again later.", err)
	}
	return nil
}

// finish audits a call and decides its outcome. A read (strict) must not
// succeed without its audit event, so a failed write turns success into
// ErrUnavailable. A change that already happened (not strict) keeps its
// answer and the failed write is reported in the background. A failed
// call keeps its own error either way.
func (a auditor) finish(ctx context.Context, c Caller, e entry, opErr error, strict bool) error {
	err := a.record(ctx, c, e, opErr)
	switch {
	case err == nil:
		return opErr
	case opErr == nil && strict:
		return err
	default:
		a.report(ctx, "audit "+string(e.action), err)
		return opErr
	}
}
