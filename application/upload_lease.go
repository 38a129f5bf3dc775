package application

import (
	"context"
	"errors"
	"sync"
	"time"

	"storagegw/domain"
)

// renewer calls a renewal every interval from its own goroutine until it
// is stopped or the renewal reports that it is over.
type renewer struct {
	halt chan struct{}
	done chan struct{}
}

// startRenewer runs renew every interval under ctx; renew returns false
// to stop renewing.
func startRenewer(ctx context.Context, interval time.Duration, renew func(ctx context.Context) bool) *renewer {
	r := &renewer{halt: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-r.halt:
				return
			case <-t.C:
				if !renew(ctx) {
					return
				}
			}
		}
	}()
	return r
}

// stop ends the renewals and waits for one in flight.
func (r *renewer) stop() {
	close(r.halt)
	<-r.done
}

// uploadLease keeps a streamed upload's reservation alive: every
// UploadLease/3 it extends the record's lease by UploadLease from now. A
// reservation that is no longer the upload's (taken over after a lapse, or
// released by a delete) calls lost with upload_superseded, which stops the
// upload. A renewal the database refuses is reported and tried again at
// the next tick: the lease has two more in hand.
type uploadLease struct {
	*renewer
	mu  sync.Mutex
	rec *domain.FileRecord
}

// keepLease starts renewing uploadID's lease on rec.
func (d *deps) keepLease(ctx context.Context, rec *domain.FileRecord, uploadID string,
	lost context.CancelCauseFunc) *uploadLease {
	l := &uploadLease{rec: rec}
	l.renewer = startRenewer(ctx, d.opts.UploadLease/3, func(ctx context.Context) bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		saved, err := d.extendLease(ctx, l.rec, uploadID)
		switch {
		case errors.Is(err, domain.ErrExists):
			lost(err)
			return false
		case err != nil:
			if ctx.Err() == nil {
				d.report(ctx, "renew upload lease", err)
			}
			return true
		}
		l.rec = saved
		return true
	})
	return l
}

// stop ends the renewals and returns the record as last saved, for the
// commit's optimistic update.
func (l *uploadLease) stop() *domain.FileRecord {
	l.renewer.stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec
}

// extendLease saves rec with uploadID's lease extended by UploadLease from
// now, reading the record again when it changed meanwhile. A reservation
// that is no longer uploadID's is domain.ErrExists (upload_superseded).
func (d *deps) extendLease(ctx context.Context, rec *domain.FileRecord, uploadID string) (*domain.FileRecord, error) {
	return d.extendLeaseUntil(ctx, rec, uploadID, func() time.Time { return d.clock.Now().Add(d.opts.UploadLease) })
}

// extendLeaseUntil is extendLease to the time until gives.
func (d *deps) extendLeaseUntil(ctx context.Context, rec *domain.FileRecord, uploadID string, until func() time.Time) (*domain.FileRecord, error) {
	for attempt := 0; ; attempt++ {
		if err := rec.ExtendLease(uploadID, until()); err != nil {
			return nil, err
		}
		saved, err := d.files.Update(ctx, rec)
		if errors.Is(err, domain.ErrNotFound) {
			return nil, superseded()
		}
		if !isConflict(err) || attempt >= maxAttempts {
			return saved, err
		}
		if rec, err = d.files.Get(ctx, rec.Path()); errors.Is(err, domain.ErrNotFound) {
			return nil, superseded()
		} else if err != nil {
			return nil, err
		}
	}
}
