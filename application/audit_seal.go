package application

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"storagegw/domain"
)

// sealBatch is how many events one seal transaction links at most.
const sealBatch = 1000

// sealRecent is how far back most periodic seals look for unlinked events
// (events are committed within seconds of their timestamp: a change's
// transaction and a group commit each have a bound of a few seconds), and
// sealWideEvery how often a periodic seal looks back the whole
// ChainOptions.Lookback instead, for an event committed later than that.
// The narrow scan keeps the seal's transaction short: its anti-join walks
// every event of the window, linked or not, and on SQLite it holds the one
// writer meanwhile. sealWideEvery is below the least unsealed grace (1m),
// so a late event is linked before verification may report it.
const (
	sealRecent    = 10 * time.Second
	sealWideEvery = 30 * time.Second
)

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
	mu       sync.Mutex
	lastWide time.Time // the last periodic run that looked back the whole Lookback and completed
}

// Run seals until no event is pending. A periodic run (full false) looks
// back sealRecent for events without a link, and every sealWideEvery back
// ChainOptions.Lookback; a full run looks at every event (the `audit seal`
// command, and serve's first run).
func (s *SealAudit) Run(ctx context.Context, full bool) (SealReport, error) {
	var rep SealReport
	if err := s.available(); err != nil {
		return rep, err
	}
	now := s.clock.Now().UTC()
	var since time.Time // zero: every event
	wide := false
	if !full {
		s.mu.Lock()
		wide = now.Sub(s.lastWide) >= sealWideEvery
		s.mu.Unlock()
		since = now.Add(-sealRecent)
		if wide {
			since = now.Add(-s.opts.Lookback)
		}
	}
	for {
		n, err := s.batch(ctx, since, &rep)
		if err != nil || rep.Busy {
			return rep, err
		}
		if n < sealBatch {
			break
		}
	}
	if full || wide {
		s.mu.Lock()
		s.lastWide = now
		s.mu.Unlock()
	}
	return rep, nil
}

// batch links up to sealBatch events since since (zero: any) and, when
// that was all of them, signs the checkpoints now due, in one
// transaction.
func (s *SealAudit) batch(ctx context.Context, since time.Time, rep *SealReport) (int, error) {
	var linked, signed int
	full := since.IsZero()
	ok, err := s.chain.Seal(ctx, func(ctx context.Context, tx SealTx) error {
		linked, signed = 0, 0
		now := s.clock.Now().UTC()
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
		if len(events) == sealBatch {
			// More follow in this run: its last batch signs what is
			// due, once, over every org (each look at the heads walks
			// the links of the last ten intervals).
			return nil
		}
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
