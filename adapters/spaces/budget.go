package spaces

import (
	"context"
	"fmt"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// withBudget bounds one operation, retries included, by the operation
// timeout, the budget: when it is spent, no new attempt starts, and the
// attempt under way ends as soon as no byte has moved on its connection
// for the request timeout. A transfer that keeps moving is never cut, so a
// slow store completes; a store that stops answering fails the operation
// about when its budget is spent (at most one request timeout later).
func (s *Store) withBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	b := &budget{cancel: cancel, idle: s.stall,
		spent: fmt.Errorf("the store made no progress within the %v budget: %w", s.opTimeout, context.DeadlineExceeded)}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: b.gotConn})
	b.mu.Lock()
	b.timer = time.AfterFunc(s.opTimeout, b.check)
	b.mu.Unlock()
	return ctx, func() {
		b.mu.Lock()
		b.stopped = true
		b.timer.Stop()
		b.mu.Unlock()
		cancel(context.Canceled)
	}
}

// withTimeout is withBudget, for operations that read small answers.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return s.withBudget(ctx)
}

type budget struct {
	cancel  context.CancelCauseFunc
	idle    time.Duration
	spent   error
	expired atomic.Bool
	conn    atomic.Pointer[idleConn] // the current attempt's

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

// gotConn notes the connection of an attempt; an attempt that starts once
// the budget is spent is a retry too many.
func (b *budget) gotConn(info httptrace.GotConnInfo) {
	b.conn.Store(connOf(info.Conn))
	if b.expired.Load() {
		b.cancel(b.spent)
	}
}

// check runs when the budget is spent, then while the current attempt
// keeps moving bytes.
func (b *budget) check() {
	b.expired.Store(true)
	wait := time.Duration(0)
	if c := b.conn.Load(); c != nil {
		wait = time.Until(c.lastMoved().Add(b.idle))
	}
	if wait <= 0 {
		b.cancel(b.spent)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stopped {
		b.timer = time.AfterFunc(min(wait, time.Second), b.check)
	}
}
