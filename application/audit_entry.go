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
	// written is set once the call's event committed with its change
	// (auditor.change): finish then writes nothing more.
	written bool
	// link is a new link (a signed URL's) to store with the call's
	// success event (auditor.issue); nil for every other call.
	link *domain.Link
	// result is what the change committed, as the use case returns it,
	// set by the change's fn: the Idempotency-Key's answer is built from
	// it in the same transaction (applyClaim).
	result any
	// answerOf, when set, makes of result what the request answers with,
	// for a use case whose answer is more than its change committed (a
	// TUS creation whose body completed the upload answers with the
	// upload and the file the completion committed).
	answerOf func(result any) any
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
	tx     Transactor
	clock  Clock
	report func(ctx context.Context, op string, err error)
}

// change runs fn, the change a call makes, in one transaction with the
// call's success event: once fn succeeds the event of e is appended in the
// same transaction, so the change commits if and only if its event does
// and no crash can fall between them. An event that cannot be written
// fails the change with domain.ErrUnavailable (audit_unavailable) and
// rolls it back. After the commit e is marked written; after a failure
// nothing of fn is kept and the caller's finish writes the failure's event
// outside, as for any failed call. The answer is given only after the
// commit. A request run under an Idempotency-Key's claim
// (WithIdempotencyClaim) marks the key applied, or stores its answer
// built from e.result, in the same transaction.
func (a auditor) change(ctx context.Context, c Caller, e *entry, fn func(ctx context.Context) error) error {
	err := a.tx.InTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		if err := a.record(ctx, c, *e, nil); err != nil {
			return err
		}
		result := e.result
		if e.answerOf != nil {
			result = e.answerOf(result)
		}
		return applyClaim(ctx, result) // the request's Idempotency-Key (and answer), if any, commits with its change
	})
	if err == nil {
		e.written = true
	}
	return err
}

// record appends the event describing a call that ended with opErr (nil on
// success). It returns an error only when the event could not be written;
// the message of a failed call is its public message, never internals.
func (a auditor) record(ctx context.Context, c Caller, e entry, opErr error) error {
	ev, err := a.event(c, e, opErr)
	if err != nil {
		return err
	}
	// The event of a call that the database failed gets a short budget
	// (detachedAfter): the request then ends within about one database
	// operation timeout instead of waiting a second one for an event that
	// cannot be written either.
	actx, cancel := detachedAfter(ctx, opErr)
	defer cancel()
	if err := a.log.Append(actx, ev); err != nil {
		return auditUnavailable(err)
	}
	return nil
}

// event is the event of a call that ended with opErr.
func (a auditor) event(c Caller, e entry, opErr error) (*domain.AuditEvent, error) {
	d := domain.AuditEventData{
		ID: newID(), Timestamp: a.clock.Now(), Actor: c.actor(), Action: e.action,
		FilePath: e.path, RelatedObjectType: e.objType, RelatedObjectID: e.objID,
		Metadata: e.metadata, Success: opErr == nil,
	}
	if c.Capability != "" {
		d.Metadata = withCapability(e.metadata, c.Capability)
	}
	if opErr != nil {
		code, msg := domain.PublicMessage(opErr)
		d.ErrorMessage = code + ": " + msg
	}
	return domain.NewAuditEvent(d)
}

func auditUnavailable(err error) error {
	return domain.Wrap(domain.ErrUnavailable, "audit_unavailable",
		"The audit trail could not be written; try again later.", err)
}

// issue stores e.link, the new link of a call that succeeded, and with a
// LinkIssuingLog its success event in the same commit (e is then marked
// written, and finish writes nothing more). A log without it gets the
// link stored alone, first, in links, and finish then writes the event as
// for any read: either way a URL is handed out only once both its link
// and its event are stored. When the shared commit fails, e is not
// written and finish writes the call's failure (audit_unavailable).
func (a auditor) issue(ctx context.Context, c Caller, e *entry, links Links) error {
	il, ok := a.log.(LinkIssuingLog)
	if !ok {
		return links.Create(ctx, e.link)
	}
	ev, err := a.event(c, *e, nil)
	if err != nil {
		return err
	}
	if err := il.AppendIssuing(ctx, e.link, ev); err != nil {
		return auditUnavailable(err)
	}
	e.written = true
	return nil
}

// finish audits a call and decides its outcome. A change that succeeded
// wrote its event in its own transaction (change), and finish writes
// nothing. A read (strict) must not succeed without its audit event, so a
// failed write turns success into ErrUnavailable. A failed or refused call
// keeps its own error, and a failed write of its event is reported in the
// background. strict is false only for calls whose success is a change.
func (a auditor) finish(ctx context.Context, c Caller, e entry, opErr error, strict bool) error {
	if e.written {
		return opErr
	}
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
