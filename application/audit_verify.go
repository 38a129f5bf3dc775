package application

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"storagegw/domain"
)

// VerifyAuditCommand says what to verify: one org or all (OrgID empty),
// and optionally a checkpoint fetched earlier and kept outside the
// database, which the log must still hold.
type VerifyAuditCommand struct {
	OrgID    string
	Pinned   *domain.SignedCheckpoint
	Progress func(VerifyReport) // called now and then; may be nil
}

// VerifyReport is what a verification found. Problem names the first bad
// event or checkpoint; empty when the log is intact.
type VerifyReport struct {
	Orgs        int64
	Events      int64
	Checkpoints int64
	Problem     string
}

// VerifyAudit recomputes every org's hash chain from the events and checks
// every checkpoint's signature and head (docs/DESIGN.md "Audit trail").
type VerifyAudit struct {
	*chainDeps
}

// errTampered stops a walk at the first problem (in VerifyReport.Problem).
var errTampered = errors.New("audit log tampered with")

// Run verifies. An error means it could not verify; a Problem means the
// log is not what was sealed.
func (v *VerifyAudit) Run(ctx context.Context, cmd VerifyAuditCommand) (VerifyReport, error) {
	var rep VerifyReport
	if err := v.available(); err != nil {
		return rep, err
	}
	if p := cmd.Pinned; p != nil {
		if cmd.OrgID != "" && cmd.OrgID != p.OrgID {
			return rep, domain.Errorf(domain.ErrInvalid, "checkpoint_org", "The checkpoint is of org %q, not %q.", p.OrgID, cmd.OrgID)
		}
		if err := p.Verify(v.opts.VerifyKeys); err != nil {
			rep.Problem = fmt.Sprintf("the pinned checkpoint: %v", err)
			return rep, nil
		}
	}
	orgs := []string{cmd.OrgID}
	switch {
	case cmd.Pinned != nil && cmd.OrgID == "":
		orgs = []string{cmd.Pinned.OrgID}
	case cmd.OrgID == "":
		var err error
		if orgs, err = v.chain.Orgs(ctx); err != nil {
			return rep, err
		}
	}
	for _, org := range orgs {
		err := v.org(ctx, org, cmd, &rep)
		rep.Orgs++
		if errors.Is(err, errTampered) {
			return rep, nil
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// org verifies one org's chain, its checkpoints and the pinned one.
func (v *VerifyAudit) org(ctx context.Context, org string, cmd VerifyAuditCommand, rep *VerifyReport) error {
	bad := func(format string, args ...any) error {
		rep.Problem = fmt.Sprintf("org %s: ", org) + fmt.Sprintf(format, args...)
		return errTampered
	}
	// The checkpoints to meet on the walk, by seq: their head hash, or
	// the reason they are bad.
	type pin struct {
		head, problem string
	}
	pins := map[int64]pin{}
	err := v.chain.Checkpoints(ctx, org, func(c domain.SignedCheckpoint) error {
		p := pin{head: c.HeadHash}
		if err := c.Verify(v.opts.VerifyKeys); err != nil {
			p.problem = err.Error()
		}
		pins[c.Seq] = p
		rep.Checkpoints++
		return nil
	})
	if err != nil {
		return err
	}
	if p := cmd.Pinned; p != nil && p.OrgID == org {
		if have, ok := pins[p.Seq]; !ok || have.problem != "" || have.head == p.HeadHash {
			pins[p.Seq] = pin{head: p.HeadHash}
		} else {
			return bad("the pinned checkpoint at seq %d does not match the stored checkpoint at that seq: the checkpoints were replaced", p.Seq)
		}
	}
	last, prev := int64(0), domain.GenesisHash
	lastID := ""
	err = v.chain.Links(ctx, org, 0, func(l domain.ChainLink, e *domain.AuditEvent) error {
		switch {
		case l.Seq != last+1:
			return bad("seq %d to %d missing after event %s: events and their links were deleted", last+1, l.Seq-1, lastID)
		case e == nil:
			return bad("seq %d: event %s was deleted", l.Seq, l.EventID)
		case l.PrevHash != prev:
			return bad("seq %d: event %s is out of order: its link does not follow seq %d (reordered, or a link before it was changed)",
				l.Seq, l.EventID, last)
		}
		h, err := domain.ChainHash(e.Data(), l.Seq, prev)
		if err != nil {
			return err
		}
		if h != l.Hash {
			return bad("seq %d: event %s was edited: its hash does not match its link", l.Seq, l.EventID)
		}
		if p, ok := pins[l.Seq]; ok {
			if p.problem != "" {
				return bad("checkpoint at seq %d: %s", l.Seq, p.problem)
			}
			if p.head != h {
				return bad("seq %d: event %s does not match the checkpoint at seq %d: the chain up to it was rewritten", l.Seq, l.EventID, l.Seq)
			}
			delete(pins, l.Seq)
		}
		last, prev, lastID = l.Seq, h, l.EventID
		rep.Events++
		if cmd.Progress != nil && rep.Events%1000 == 0 {
			cmd.Progress(*rep)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(pins) > 0 {
		seq := slices.Min(slices.Collect(maps.Keys(pins)))
		return bad("a checkpoint pins seq %d but the chain ends at seq %d (event %q): the newest events were deleted", seq, last, lastID)
	}
	old, err := v.chain.Unlinked(ctx, org, v.clock.Now().Add(-v.opts.Grace), 1)
	if err != nil {
		return err
	}
	if len(old) > 0 {
		e := old[0]
		return bad("event %s of %s is not in the chain: inserted, or unsealed for longer than %s",
			e.ID(), e.Timestamp().Format(time.RFC3339Nano), v.opts.Grace)
	}
	return nil
}

// ExportAuditCommand selects what to export: one org or all, and events
// from Since on (zero: all). Write receives each sealed event with its link.
type ExportAuditCommand struct {
	OrgID string
	Since time.Time
	Write func(domain.ChainLink, *domain.AuditEvent) error
}

// ExportAudit streams the sealed events with their links, org by org in
// seq order, for a SIEM or an off-site archive.
type ExportAudit struct {
	*chainDeps
}

// Run exports and returns how many events it wrote.
func (x *ExportAudit) Run(ctx context.Context, cmd ExportAuditCommand) (int64, error) {
	if err := x.available(); err != nil {
		return 0, err
	}
	orgs := []string{cmd.OrgID}
	if cmd.OrgID == "" {
		var err error
		if orgs, err = x.chain.Orgs(ctx); err != nil {
			return 0, err
		}
	}
	var n int64
	for _, org := range orgs {
		err := x.chain.Links(ctx, org, 0, func(l domain.ChainLink, e *domain.AuditEvent) error {
			if e == nil || (!cmd.Since.IsZero() && e.Timestamp().Before(cmd.Since)) {
				return nil
			}
			n++
			return cmd.Write(l, e)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
