package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// Batch sizes of the retention purge.
const (
	DefaultPurgeBatch = 100
	MaxPurgeBatch     = 1000
)

// maxPurgeFailuresInARow stops a purge whose every attempt fails (the store
// is down): the files are left for the next run.
const maxPurgeFailuresInARow = 10

// PurgeCommand asks to remove, for good, the files soft-deleted longer than
// the retention.
type PurgeCommand struct {
	// OlderThan is the retention to apply; 0 means Options.Retention.
	OlderThan time.Duration
	OrgID     string // empty: every org
	BatchSize int    // 0 means DefaultPurgeBatch; at most MaxPurgeBatch
	// VersionsOlderThan is the retention of superseded versions to apply;
	// 0 means the configured one (VersionOptions.Retention).
	VersionsOlderThan time.Duration
	// DryRun counts what would be purged and changes nothing.
	DryRun bool
	// Progress, when set, hears the running totals after each batch.
	Progress func(PurgeReport)
}

// PurgeReport counts what a purge did, or in a dry run would do.
type PurgeReport struct {
	Due      int64 // records found due
	Purged   int64 // files removed for good (dry run: that would be)
	Bytes    int64 // their size
	Skipped  int64 // changed concurrently: restored, overwritten or purged by another run
	Held     int64 // due but under legal hold: kept, and found due again by the next run
	Failures int64 // left for the next run: the blob could not be removed
	// Versions superseded longer than the version retention: found due,
	// removed (dry run: that would be) with their bytes, and kept by a
	// legal hold.
	VersionsDue    int64
	VersionsPurged int64
	VersionBytes   int64
	VersionsHeld   int64
}

// Purge is the retention purge. It removes the blobs of files soft-deleted
// longer than the retention, turns their records into purged tombstones and
// writes one PURGE audit event per file with the system actor.
//
// Order, crashes and concurrency: each batch is one transaction
// (Transactor) in which the records are claimed through
// FileRepository.ClaimPurgeBatch, which keeps concurrent purgers
// (replicas, a scheduled run and the command) on disjoint batches and
// holds the rows until the transaction ends. For each claimed record the
// purge (1) decides the tombstone in memory (domain Purge) and (2) removes
// the blob; when the batch ends, (3) the tombstones are saved and (4) one
// PURGE event per saved tombstone is appended, in the same transaction,
// which then commits. A tombstone therefore exists if and only if its
// event does, and a record stays due until both committed: a failure or a
// crash anywhere before the commit leaves due records that the next run
// finishes, with the blob already gone (removing a missing blob is not an
// error). No tombstone ever points at a blob that still exists, so
// nothing needs to be found again without a column to mark it. An event
// that cannot be written rolls the batch back and stops the run
// (audit_unavailable). PURGE events keep an id derived from the record
// and its deletion, so no deletion is ever purged twice under two ids.
type Purge struct {
	*deps
}

// Run purges every due file, batch by batch, and returns the totals. It
// fails on a bad command, when the database or the audit trail fails (the
// batch then rolls back), or after maxPurgeFailuresInARow files in a row
// could not be purged; the totals are those reached so far.
func (p *Purge) Run(ctx context.Context, cmd PurgeCommand) (PurgeReport, error) {
	var rep PurgeReport
	olderThan, batch := cmd.OlderThan, cmd.BatchSize
	if olderThan == 0 {
		olderThan = p.opts.Retention
	}
	if batch == 0 {
		batch = DefaultPurgeBatch
	}
	if olderThan < 0 || batch < 1 || batch > MaxPurgeBatch {
		return rep, domain.Errorf(domain.ErrInvalid, "invalid_purge", "The retention must be positive and the batch size between 1 and %d.", MaxPurgeBatch)
	}
	run := &purgeRun{Purge: p, olderThan: olderThan, dryRun: cmd.DryRun, rep: &rep}
	q := PurgeBatchQuery{Before: p.clock.Now().Add(-olderThan), OrgID: cmd.OrgID, Limit: batch}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var claimed, saved []*domain.FileRecord
		var gone []domain.FileVersion
		err := p.audit.tx.InTx(ctx, func(ctx context.Context) error {
			var err error
			saved, err = p.files.ClaimPurgeBatch(ctx, q, func(ctx context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
				claimed = due
				return run.batch(ctx, due), nil
			})
			if err != nil {
				return err
			}
			if err := run.appendEvents(ctx, saved); err != nil {
				return err
			}
			gone, err = run.purgeVersionsOf(ctx, saved)
			return err
		})
		if err != nil {
			run.pending = 0
			return rep, err
		}
		run.saved(saved)
		run.versionsGone(ctx, gone)
		if cmd.Progress != nil {
			cmd.Progress(rep)
		}
		if run.abort != nil {
			return rep, run.abort
		}
		if len(claimed) < batch {
			return rep, run.purgeVersions(ctx, cmd, batch)
		}
		q.AfterID = claimed[len(claimed)-1].ID()
	}
}

// purgeRun is the state of one Run.
type purgeRun struct {
	*Purge
	olderThan time.Duration
	dryRun    bool
	rep       *PurgeReport
	pending   int   // records handed back to save in the current batch
	inARow    int   // consecutive failures
	abort     error // set once too many failures in a row
	// events are the PURGE events of the current batch's tombstones, by
	// record id, appended once the tombstones are saved.
	events map[string]*domain.AuditEvent
}

// batch handles one claimed batch and returns the tombstones to save.
func (r *purgeRun) batch(ctx context.Context, due []*domain.FileRecord) []*domain.FileRecord {
	var save []*domain.FileRecord
	r.events = map[string]*domain.AuditEvent{}
	for _, rec := range due {
		if r.abort != nil || ctx.Err() != nil {
			break
		}
		now := r.clock.Now()
		if !rec.DeletedLongerThan(r.olderThan, now) {
			continue // the claim's cutoff is the run's; a record is checked again here
		}
		r.rep.Due++
		// A held file is never purged: it stays soft-deleted and due, and
		// each run skips it again until the hold is cleared (no event: the
		// purge changed nothing). The check runs in the batch's transaction.
		if hold, err := HeldBy(ctx, r.holds, rec.Path()); err != nil || hold != nil {
			if err != nil {
				r.failed(ctx, err)
			} else {
				r.rep.Held++
			}
			continue
		}
		if r.dryRun {
			r.rep.Purged++
			r.rep.Bytes += rec.Content().SizeBytes
			continue
		}
		if err := r.one(ctx, rec, now); err != nil {
			r.failed(ctx, err)
			continue
		}
		r.inARow = 0
		save = append(save, rec)
	}
	r.pending = len(save)
	return save
}

// one removes rec's blob and drafts its PURGE event; rec becomes the
// tombstone to save.
func (r *purgeRun) one(ctx context.Context, rec *domain.FileRecord, now time.Time) error {
	deleted := rec.Data()
	ev, err := purgeEvent(rec.Path(), deleted, r.olderThan, now)
	if err != nil {
		return err
	}
	key, err := rec.Purge(domain.SystemActor, now)
	if err != nil {
		return err
	}
	if err := r.blobs.Delete(ctx, key); err != nil {
		return err
	}
	r.events[rec.ID()] = ev
	return nil
}

func (r *purgeRun) failed(ctx context.Context, err error) {
	r.rep.Failures++
	r.report(ctx, "purge", err)
	if r.inARow++; r.inARow >= maxPurgeFailuresInARow {
		r.abort = domain.Wrap(domain.ErrUnavailable, "purge_failing",
			"The purge stopped after repeated failures; the remaining files are left for the next run.", err)
	}
}

// saved accounts for the tombstones the repository stored.
func (r *purgeRun) saved(recs []*domain.FileRecord) {
	for _, rec := range recs {
		r.rep.Purged++
		r.rep.Bytes += rec.Content().SizeBytes
	}
	r.rep.Skipped += int64(r.pending - len(recs))
	r.pending = 0
}
