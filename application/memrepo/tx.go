package memrepo

import (
	"context"
	"sync"

	"storagegw/application"
)

// Transactor is an in-memory application.Transactor over any Files,
// Sessions and Audit: a change they make with a context of InTx is
// logged, and undone when fn fails, so a failed unit of work leaves
// records, sessions and events as before. Transactions take turns (one at
// a time per Transactor). Unlike a database there is no isolation: a
// call outside the transaction sees its changes before they commit. An
// undo only reverts a row that is still as the transaction left it, so it
// never overwrites a later change made outside.
type Transactor struct {
	mu sync.Mutex
}

var _ application.Transactor = (*Transactor)(nil)

// NewTransactor returns a Transactor.
func NewTransactor() *Transactor { return &Transactor{} }

type txKey struct{}

// undoLog is what a transaction did, as the steps that revert it.
type undoLog struct {
	owner *Transactor
	mu    sync.Mutex
	steps []func()
}

// InTx implements application.Transactor.
func (t *Transactor) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if cur, ok := ctx.Value(txKey{}).(*undoLog); ok && cur.owner == t {
		return fn(ctx)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	log := &undoLog{owner: t}
	err := fn(context.WithValue(ctx, txKey{}, log))
	if err != nil {
		log.mu.Lock()
		steps := log.steps
		log.mu.Unlock()
		for i := len(steps) - 1; i >= 0; i-- {
			steps[i]()
		}
	}
	return err
}

// onRollback registers undo with the transaction ctx carries, if any. The
// stores call it with their own lock held; undo takes that lock itself.
func onRollback(ctx context.Context, undo func()) {
	log, ok := ctx.Value(txKey{}).(*undoLog)
	if !ok {
		return
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	log.steps = append(log.steps, undo)
}
