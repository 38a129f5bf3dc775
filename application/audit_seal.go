package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"storagegw/domain"
)

// sealBatch is how many events one seal transaction links at most.
const sealBatch = 1000

// SealReport is what one seal run did.
type SealReport struct {
	Linked      int64 // events linked into their org's chain
	Checkpoints int64 // checkpoints signed
	Busy        bool  // another sealer held the seal; this run did nothing
}

// SealAudit links committed audit events into their org's hash chain and
// signs checkpoints of the chains' heads (docs/DESIGN.md "Audit trail").
// One sealer runs at a time in the cluster; the others find it busy.
type SealAudit struct {
	*chainDeps
}

// Run seals until no event is pending. A periodic run (full false) looks
// back ChainOptions.Lookback for events without a link; a full run looks
// at every event (the `audit seal` command, and serve's first run).
func (s *SealAudit) Run(ctx context.Context, full bool) (SealReport, error) {
	var rep SealReport
	if err := s.available(); err != nil {
		return rep, err
	}
	for {
		n, err := s.batch(ctx, full, &rep)
		if err != nil || rep.Busy || n < sealBatch {
			return rep, err
		}
	}
}

// batch links up to sealBatch events and signs the checkpoints now due, in
// one transaction.
func (s *SealAudit) batch(ctx context.Context, full bool, rep *SealReport) (int, error) {
	var linked, signed int
	ok, err := s.chain.Seal(ctx, func(ctx context.Context, tx SealTx) error {
		linked, signed = 0, 0
		now := s.clock.Now().UTC()
		since := now.Add(-s.opts.Lookback)
		if full {
			since = time.Time{}
		}
		events, err := tx.Pending(ctx, since, sealBatch)
		if err != nil {
			return err
		}
		links, err := s.link(ctx, tx, events, now)
		if err != nil {
			return err
		}
		if err := tx.AppendLinks(ctx, links); err != nil {
			return err
		}
		linked = len(links)
		signed, err = s.checkpoint(ctx, tx, now, full)
		return err
	})
	switch {
	case err != nil:
		return 0, fmt.Errorf("seal audit events: %w", err)
	case !ok:
		rep.Busy = true
		return 0, nil
	}
	rep.Linked += int64(linked)
	rep.Checkpoints += int64(signed)
	return linked, nil
}

// link chains events, in the order given, after their orgs' heads.
func (s *SealAudit) link(ctx context.Context, tx SealTx, events []*domain.AuditEvent, now time.Time) ([]domain.ChainLink, error) {
	heads := map[string]domain.ChainLink{}
	links := make([]domain.ChainLink, 0, len(events))
	for _, e := range events {
		d := e.Data()
		org := d.Actor.OrgID
		head, ok := heads[org]
		if !ok {
			var err error
			if head, err = tx.Head(ctx, org); err != nil {
				return nil, err
			}
		}
		l, err := domain.LinkEvent(d, head.Seq+1, head.Hash, now)
		if err != nil {
			return nil, fmt.Errorf("event %q: %w", d.ID, err)
		}
		heads[org] = l
		links = append(links, l)
	}
	return links, nil
}

// checkpoint signs a checkpoint of every org whose head moved since its
// last checkpoint by CheckpointEvery events, or at all when that
// checkpoint is older than CheckpointInterval. It looks at the orgs linked
// within the last ten intervals (or ever, on a full run).
func (s *SealAudit) checkpoint(ctx context.Context, tx SealTx, now time.Time, full bool) (int, error) {
	if s.opts.SigningKey == nil {
		return 0, nil
	}
	since := now.Add(-10 * s.opts.CheckpointInterval)
	if full {
		since = time.Time{}
	}
	heads, err := tx.RecentHeads(ctx, since)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, h := range heads {
		last, err := tx.LatestCheckpoint(ctx, h.OrgID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return n, err
		}
		due := h.Seq > last.Seq &&
			(h.Seq-last.Seq >= int64(s.opts.CheckpointEvery) || now.Sub(last.Time) >= s.opts.CheckpointInterval)
		if !due {
			continue
		}
		c := domain.SignCheckpoint(domain.Checkpoint{OrgID: h.OrgID, Seq: h.Seq, HeadHash: h.Hash, Time: now}, s.opts.SigningKey)
		if err := tx.AppendCheckpoint(ctx, c); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
