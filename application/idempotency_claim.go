package application

import (
	"context"
	"sync"
	"time"

	"storagegw/domain"
)

// IdempotencyClaim is a key claimed by the request now running. It renews
// its lease every Lease/3 until Finish or Release, so a long upload keeps
// its key while a crashed one frees it once the lease runs out. Its
// methods are safe to call from any goroutine; the first of Finish and
// Release ends the claim, later calls do nothing.
type IdempotencyClaim struct {
	u      *Idempotency
	owner  string
	sc     domain.IdempotencyScope // never changes: read without mu
	render IdempotentRenderer      // set by RenderWith before the change runs

	mu   sync.Mutex
	rec  *domain.IdempotencyRecord // as last stored
	done bool

	stop    chan struct{}
	stopped sync.WaitGroup
}

// hold starts the renewal of a claim just stored.
func (u *Idempotency) hold(ctx context.Context, rec *domain.IdempotencyRecord, owner string) *IdempotencyClaim {
	c := &IdempotencyClaim{u: u, owner: owner, sc: rec.Scope(), rec: rec, stop: make(chan struct{})}
	c.stopped.Add(1)
	go c.renew(context.WithoutCancel(ctx))
	return c
}

func (c *IdempotencyClaim) renew(ctx context.Context) {
	defer c.stopped.Done()
	t := time.NewTicker(max(c.u.timing.Lease/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.mu.Lock()
		if !c.done && c.rec.Renew(c.owner, c.u.clock.Now(), c.u.timing.Lease) == nil {
			rctx, cancel := detached(ctx)
			saved, err := c.u.keys.Update(rctx, c.rec)
			cancel()
			switch {
			case err == nil:
				c.rec = saved
			case isConflict(err):
				// Taken over (the lease lapsed while the database was out of
				// reach): the request runs on, but its answer will not be
				// stored, and the newer claim owns the key.
				c.reload(ctx)
			default:
				c.u.report(ctx, "renew idempotency key", err)
			}
		}
		c.mu.Unlock()
	}
}

// reload refreshes rec after a lost update (c.mu held).
func (c *IdempotencyClaim) reload(ctx context.Context) {
	rctx, cancel := detached(ctx)
	defer cancel()
	if cur, err := c.u.keys.Get(rctx, c.rec.Scope()); err == nil {
		c.rec = cur
	}
}

// end stops the renewal; it reports whether this call ended the claim.
func (c *IdempotencyClaim) end() bool {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return false
	}
	c.done = true
	c.mu.Unlock()
	close(c.stop)
	c.stopped.Wait()
	return true
}

// Finish stores the answer of the claimed request under fingerprint, so
// that retries get it. The answer was already given, so a failure is
// reported in the background (and the key then frees after its lease, a
// retry running the request again); it is also returned for tests.
func (c *IdempotencyClaim) Finish(ctx context.Context, fingerprint string, answer domain.IdempotentAnswer, outcome domain.IdempotencyOutcome) error {
	if !c.end() {
		return nil
	}
	ctx, cancel := detached(ctx)
	defer cancel()
	for attempt := 0; ; attempt++ {
		if c.rec.AnsweredBy(c.owner) {
			return nil // stored with the change, in its transaction (applyClaim)
		}
		err := c.rec.Complete(c.owner, fingerprint, answer, outcome)
		if err == nil {
			_, err = c.u.keys.Update(ctx, c.rec)
		}
		if isConflict(err) && attempt < maxAttempts {
			c.reload(ctx) // a renewal raced this update: the row may still be ours
			continue
		}
		if err != nil {
			c.u.report(ctx, "store idempotent answer", err)
		}
		return err
	}
}

// Release lets the key go without an answer (the request failed in a way
// a retry should run again, or its answer cannot be replayed): the next
// request with it runs as a first request. A key whose change committed
// (applied) is kept, so that nothing is changed twice: a retry is
// refused (idempotency_key_answer_lost once the lease ran out).
func (c *IdempotencyClaim) Release(ctx context.Context) error {
	if !c.end() {
		return nil
	}
	ctx, cancel := detached(ctx)
	defer cancel()
	if !c.rec.Held(c.owner) || c.rec.Applied() {
		return nil
	}
	err := c.u.keys.Delete(ctx, c.rec)
	if isConflict(err) {
		c.reload(ctx)
		if c.rec.Held(c.owner) && !c.rec.Applied() {
			err = c.u.keys.Delete(ctx, c.rec)
		} else {
			err = nil // another request owns the key now, or its change committed
		}
	}
	if err != nil && !isNotFound(err) {
		c.u.report(ctx, "release idempotency key", err)
		return err
	}
	return nil
}

func isNotFound(err error) bool { return domain.KindOf(err) == domain.ErrNotFound }
