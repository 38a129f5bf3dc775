package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/auditevent"
)

var _ application.LinkIssuingLog = (*AuditBatcher)(nil)

// BatchOptions bound the AuditBatcher. Zero fields take the defaults of
// DefaultBatchOptions.
type BatchOptions struct {
	// MaxEvents is the most events one commit holds.
	MaxEvents int
	// MaxWait is how long a batch waits for more events after its first
	// when fewer than MaxEvents are queued. 0 writes at once: the events
	// that arrive during a commit make the next batch, so batches grow
	// with the load by themselves.
	MaxWait time.Duration
	// Queue is how many events may wait for a commit; beyond it Append
	// fails at once.
	Queue int
	// WriteTimeout bounds one commit.
	WriteTimeout time.Duration
	// Writers is how many batches may commit at once on PostgreSQL, each
	// writer on a connection of its own; SQLite has one.
	Writers int

	// OnBatch, when set, is told of every batch written: its events, how
	// long its commit took, and whether it failed.
	OnBatch func(events int, took time.Duration, failed bool)
	// OnQueueFull, when set, is told of every event refused for a full
	// queue.
	OnQueueFull func()
}

// DefaultBatchOptions: up to 500 events a commit (7,000 bind parameters,
// well within both dialects' limits), written as soon as a writer is
// free, 8,192 events queued, 4 writers on PostgreSQL (of its pool of 25;
// make bench-audit measured 1, 4 and 8).
var DefaultBatchOptions = BatchOptions{MaxEvents: 500, Queue: 8192, WriteTimeout: 10 * time.Second, Writers: 4}

// AuditBatcher is the application.AuditLog that makes events durable in
// shared commits (group commit): Append queues the event and returns once
// the multi-row INSERT holding it has committed, so a caller never goes on
// without its event stored, while one commit serves many callers. Writer
// goroutines (one on SQLite, BatchOptions.Writers on PostgreSQL) each take
// what is queued and write it: on PostgreSQL each on a connection of its
// own, so that a batch never queues for the pool behind the requests
// whose events it holds; on SQLite on the one connection everything
// shares. Query reads as AuditLog does.
// Close flushes what is queued; call it before closing the database.
type AuditBatcher struct {
	single *AuditLog
	db     *DB
	opts   BatchOptions

	mu      sync.RWMutex // held for reading to queue, for writing to close
	closed  bool
	queue   chan *pendingEvent
	writers sync.WaitGroup
	waiting atomic.Int64 // Appends queued and not yet answered
}

// connection is a writer's own connection on PostgreSQL and the client
// on it; nil until its first batch and after a failed one.
type connection struct {
	conn   *sql.Conn
	client *ent.Client
}

// pendingEvent is one queued event, the link stored with it if any
// (AppendIssuing), and where its caller waits.
type pendingEvent struct {
	ev     *domain.AuditEvent
	link   *domain.Link
	result chan error // buffered: the writer never blocks on a caller
}

// NewAuditBatcher starts the writers of db's audit trail.
func NewAuditBatcher(db *DB, opts BatchOptions) *AuditBatcher {
	d := DefaultBatchOptions
	if opts.MaxEvents < 1 {
		opts.MaxEvents = d.MaxEvents
	}
	if opts.Queue < 1 {
		opts.Queue = d.Queue
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = d.WriteTimeout
	}
	switch {
	case db.dialect == DialectSQLite:
		opts.Writers = 1 // it has one connection
	case opts.Writers < 1:
		opts.Writers = DefaultBatchOptions.Writers
	}
	b := &AuditBatcher{single: NewAuditLog(db), db: db, opts: opts, queue: make(chan *pendingEvent, opts.Queue)}
	for range opts.Writers {
		b.writers.Go(b.run)
	}
	return b
}

// Append stores e in the next batch and waits for its commit. An event
// whose id exists is domain.ErrExists (the rest of its batch is stored).
// A full queue, a closed batcher or a failed commit is
// domain.ErrUnavailable with code audit_unavailable; so is ctx ending
// first, though the queued event may still be stored.
func (b *AuditBatcher) Append(ctx context.Context, e *domain.AuditEvent) error {
	if b.db.inTx(ctx) {
		// A change's event commits with the change, in its transaction,
		// never in a batch of its own: written directly through it.
		return b.single.Append(ctx, e)
	}
	return b.enqueue(ctx, &pendingEvent{ev: e, result: make(chan error, 1)})
}

// AppendIssuing stores l with e in the next batch, in the same commit, and
// waits for it: a batch holding links is one transaction that inserts its
// links and then its events. A link or event id already taken fails only
// its own caller, with domain.ErrExists, and neither of its rows is
// stored; the rest as Append.
func (b *AuditBatcher) AppendIssuing(ctx context.Context, l *domain.Link, e *domain.AuditEvent) error {
	if b.db.inTx(ctx) {
		return b.single.AppendIssuing(ctx, l, e)
	}
	return b.enqueue(ctx, &pendingEvent{ev: e, link: l, result: make(chan error, 1)})
}

// enqueue queues p and waits for its commit.
func (b *AuditBatcher) enqueue(ctx context.Context, p *pendingEvent) error {
	e := p.ev
	if err := ctx.Err(); err != nil {
		return eventUnavailable(e, "the caller gave up", err)
	}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return eventUnavailable(e, "the audit writer is closed", nil)
	}
	select {
	case b.queue <- p:
		b.waiting.Add(1)
		defer b.waiting.Add(-1)
		b.mu.RUnlock()
	default:
		b.mu.RUnlock()
		if b.opts.OnQueueFull != nil {
			b.opts.OnQueueFull()
		}
		return eventUnavailable(e, fmt.Sprintf("the audit queue is full (%d events)", cap(b.queue)), nil)
	}
	select {
	case err := <-p.result:
		return err
	case <-ctx.Done():
		return eventUnavailable(e, "the caller gave up waiting for the commit", ctx.Err())
	}
}

// Query delegates to the single-row audit log.
func (b *AuditBatcher) Query(ctx context.Context, q application.AuditQuery) ([]*domain.AuditEvent, error) {
	return b.single.Query(ctx, q)
}

// Close refuses new events, writes the queued ones and waits for the
// writers to end. It is safe to call more than once.
func (b *AuditBatcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	b.writers.Wait()
}

// run is a writer: it takes the first queued event, gathers what else
// is queued (waiting up to MaxWait), writes the batch, and starts over
// until Close has closed the queue and it is drained.
func (b *AuditBatcher) run() {
	var w connection
	defer w.release()
	batch := make([]*pendingEvent, 0, b.opts.MaxEvents)
	for first := range b.queue {
		batch = b.gather(append(batch[:0], first))
		b.write(&w, batch)
		clear(batch) // let the written events go
	}
}

// open returns the client a writer's next batch is written on: SQLite's
// shared one, or on PostgreSQL one on w's own connection, taken from the
// pool when it has none.
func (w *connection) open(ctx context.Context, db *DB) (*ent.Client, error) {
	if db.dialect == DialectSQLite {
		return db.client, nil
	}
	if w.client == nil {
		conn, err := db.sql.Conn(ctx)
		if err != nil {
			return nil, translate(err)
		}
		drv := connDriver{Driver: entsql.NewDriver(db.dialect, entsql.Conn{ExecQuerier: conn}), conn: conn}
		w.conn, w.client = conn, ent.NewClient(ent.Driver(drv))
	}
	return w.client, nil
}

// connDriver is the Ent driver of a writer's own connection: its
// transactions begin on that connection (Ent's own driver would begin them
// on a pool).
type connDriver struct {
	*entsql.Driver
	conn *sql.Conn
}

func (d connDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &entsql.Tx{Conn: entsql.Conn{ExecQuerier: tx}, Tx: tx}, nil
}

// release gives w's connection back to the pool (which closes it if it
// broke).
func (w *connection) release() {
	if w.conn != nil {
		w.conn.Close()
		w.conn, w.client = nil, nil
	}
}

// gather adds queued events to batch up to MaxEvents, waiting up to
// MaxWait after the first for more.
func (b *AuditBatcher) gather(batch []*pendingEvent) []*pendingEvent {
	var deadline <-chan time.Time
	if b.opts.MaxWait > 0 {
		t := time.NewTimer(b.opts.MaxWait)
		defer t.Stop()
		deadline = t.C
	}
	for len(batch) < b.opts.MaxEvents {
		select {
		case p, ok := <-b.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
			continue
		default:
		}
		if deadline == nil {
			return batch
		}
		select {
		case p, ok := <-b.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
		case <-deadline:
			return batch
		}
	}
	return batch
}

// write commits batch in one multi-row INSERT and answers every caller.
// A batch refused for a row's sake (an id taken, a value refused) is
// retried one event at a time, so only that event's caller sees the
// error; a batch the database failed fails every caller with
// ErrUnavailable.
func (b *AuditBatcher) write(w *connection, batch []*pendingEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.WriteTimeout)
	defer cancel()
	start := time.Now()
	c, err := w.open(ctx, b.db)
	if err == nil {
		err = b.insert(ctx, c, batch)
	}
	if b.opts.OnBatch != nil {
		b.opts.OnBatch(len(batch), time.Since(start), err != nil)
	}
	switch kind := domain.KindOf(err); {
	case err == nil:
		for _, p := range batch {
			p.result <- nil
		}
	case len(batch) > 1 && kind == domain.ErrExists:
		b.writeNew(c, batch)
	case len(batch) > 1 && kind == domain.ErrInvalid:
		b.writeEach(c, batch)
	case kind == domain.ErrExists || kind == domain.ErrInvalid:
		batch[0].result <- fmt.Errorf("postgres: append audit event %q: %w", batch[0].ev.ID(), err)
	default:
		w.release() // the next batch starts on a fresh connection
		for _, p := range batch {
			p.result <- eventUnavailable(p.ev, fmt.Sprintf("the commit of its batch of %d failed", len(batch)), err)
		}
	}
}

// writeNew answers the events of a batch refused because some are stored
// already: those get ErrExists, and the others are committed in one more
// multi-row INSERT (one event at a time if that is refused too), each step
// with a commit's own time budget.
func (b *AuditBatcher) writeNew(c *ent.Client, batch []*pendingEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.WriteTimeout)
	defer cancel()
	ids := make([]string, len(batch))
	for i, p := range batch {
		ids[i] = p.ev.ID()
	}
	stored, err := c.AuditEvent.Query().Where(auditevent.IDIn(ids...)).IDs(ctx)
	if err != nil {
		b.writeEach(c, batch)
		return
	}
	have := make(map[string]bool, len(stored))
	for _, id := range stored {
		have[id] = true
	}
	var rest []*pendingEvent
	for _, p := range batch {
		if have[p.ev.ID()] {
			p.result <- fmt.Errorf("postgres: append audit event %q: %w", p.ev.ID(),
				domain.Errorf(domain.ErrExists, "already_exists", "A record with this key already exists."))
			continue
		}
		rest = append(rest, p)
	}
	if len(rest) == 0 {
		return
	}
	if err := b.insert(ctx, c, rest); err != nil {
		b.writeEach(c, rest)
		return
	}
	for _, p := range rest {
		p.result <- nil
	}
}

// writeEach commits a refused batch's events one at a time on the same
// connection, each with a commit's time budget, so only the refused
// event's caller sees the error.
func (b *AuditBatcher) writeEach(c *ent.Client, batch []*pendingEvent) {
	for _, p := range batch {
		ctx, cancel := context.WithTimeout(context.Background(), b.opts.WriteTimeout)
		err := b.insert(ctx, c, []*pendingEvent{p})
		cancel()
		if err != nil {
			p.result <- fmt.Errorf("postgres: append audit event %q: %w", p.ev.ID(), err)
			continue
		}
		p.result <- nil
	}
}

// insert writes batch's rows on c: its events in one multi-row INSERT,
// committed by itself, or, when the batch holds links, one transaction
// that inserts the links (one multi-row INSERT) and then the events. The
// error is translated.
func (b *AuditBatcher) insert(ctx context.Context, c *ent.Client, batch []*pendingEvent) error {
	if !slices.ContainsFunc(batch, func(p *pendingEvent) bool { return p.link != nil }) {
		return translate(insertEvents(ctx, c, batch))
	}
	tx, err := c.Tx(ctx)
	if err != nil {
		return translate(err)
	}
	var links []*ent.SignedLinkCreate
	for _, p := range batch {
		if p.link != nil {
			links = append(links, linkRow(tx.SignedLink.Create(), p.link))
		}
	}
	if err := tx.SignedLink.CreateBulk(links...).Exec(ctx); err != nil {
		_ = tx.Rollback()
		return translate(err)
	}
	if err := insertEvents(ctx, tx.Client(), batch); err != nil {
		_ = tx.Rollback()
		return translate(err)
	}
	return translate(tx.Commit())
}

// insertEvents inserts batch's events in one multi-row INSERT on c.
func insertEvents(ctx context.Context, c *ent.Client, batch []*pendingEvent) error {
	rows := make([]*ent.AuditEventCreate, len(batch))
	for i, p := range batch {
		rows[i] = auditRow(c.AuditEvent.Create(), p.ev)
	}
	return c.AuditEvent.CreateBulk(rows...).Exec(ctx)
}

// eventUnavailable is the error of an event that was not stored for
// reason (and cause, when there is one).
func eventUnavailable(e *domain.AuditEvent, reason string, cause error) error {
	return fmt.Errorf("postgres: append audit event %q: %s: %w", e.ID(), reason,
		domain.Wrap(domain.ErrUnavailable, "audit_unavailable", "The audit trail could not be written; try again later.", cause))
}
