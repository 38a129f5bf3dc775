package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/application/repotest"
	"storagegw/domain"
)

// onBoth runs test on a fresh SQLite database and on a fresh PostgreSQL
// one (skipped without a server, as newPostgres says).
func onBoth(t *testing.T, test func(t *testing.T, db *postgres.DB)) {
	t.Run("SQLite", func(t *testing.T) { t.Parallel(); test(t, newSQLite(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { t.Parallel(); test(t, newPostgres(t)) })
}

// newBatcher starts a batcher on db, closed when the test ends (before db).
func newBatcher(t *testing.T, db *postgres.DB, opts postgres.BatchOptions) *postgres.AuditBatcher {
	b := postgres.NewAuditBatcher(db, opts)
	t.Cleanup(b.Close)
	return b
}

// blockAudit keeps the audit table from being written until the returned
// func is called: on SQLite by holding its one connection, on PostgreSQL
// by locking the table in a transaction.
func blockAudit(t *testing.T, db *postgres.DB) (release func()) {
	ctx := context.Background()
	if db.Dialect() == postgres.DialectSQLite {
		conn, err := db.SQL().Conn(ctx)
		require.NoError(t, err)
		return sync.OnceFunc(func() { conn.Close() })
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "LOCK TABLE storage_audit_logs IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)
	return sync.OnceFunc(func() { tx.Rollback() })
}

// auditEvent is a new valid event of org (safe in any goroutine).
func auditEvent(org string) *domain.AuditEvent {
	e, err := domain.NewAuditEvent(domain.AuditEventData{ID: uuid.NewString(), Timestamp: time.Now(),
		Actor:  domain.Actor{UserID: "user-1", Role: domain.RoleMember, OrgID: org},
		Action: domain.ActionSignedURLGenerated, FilePath: org + "/workspace/doc/d1/a.txt", Success: true})
	if err != nil {
		panic(err)
	}
	return e
}

// stored counts org's events in the database.
func stored(t *testing.T, db *postgres.DB, org string) int {
	var n int
	require.NoError(t, db.SQL().QueryRowContext(t.Context(),
		"SELECT count(*) FROM storage_audit_logs WHERE org_id = $1", org).Scan(&n))
	return n
}

func requireAuditUnavailable(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, domain.ErrUnavailable, "got %v, want ErrUnavailable", err)
	var de *domain.Error
	require.True(t, errors.As(err, &de), "got %v, want a *domain.Error", err)
	require.Equal(t, "audit_unavailable", de.Code, "got code %q, want audit_unavailable (%v)", de.Code, err)
}

// TestAuditBatcherConformance runs the audit log suite against the
// group-commit writer.
func TestAuditBatcherConformance(t *testing.T) {
	t.Parallel()
	onBoth(t, func(t *testing.T, db *postgres.DB) {
		fx := fixture(db)
		fx.Audit = newBatcher(t, db, postgres.BatchOptions{})
		repotest.RunAuditLog(t, fx)
	})
}

// TestAuditBatcherGroupsCommits: 100 callers × 50 events, each waiting
// for its commit, share far fewer commits than events, and every event is
// stored.
func TestAuditBatcherGroupsCommits(t *testing.T) {
	t.Parallel()
	onBoth(t, func(t *testing.T, db *postgres.DB) {
		const callers, each = 100, 50
		var batches, events atomic.Int64
		b := newBatcher(t, db, postgres.BatchOptions{OnBatch: func(n int, _ time.Duration, failed bool) {
			assert.False(t, failed)
			batches.Add(1)
			events.Add(int64(n))
		}})
		org := "org-" + uuid.NewString()[:8]
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				for range each {
					assert.NoError(t, b.Append(t.Context(), auditEvent(org)))
				}
			})
		}
		wg.Wait()
		require.Equal(t, callers*each, stored(t, db, org))
		require.EqualValues(t, callers*each, events.Load())
		t.Logf("%d events in %d commits (%.1f a commit)", events.Load(), batches.Load(),
			float64(events.Load())/float64(batches.Load()))
		require.Less(t, batches.Load(), int64(callers*each/4), "got %d commits for %d events, want them shared", batches.Load(), callers*each)
	})
}

// TestAuditBatcherBackPressure: while the database is blocked, a full
// queue refuses events at once with audit_unavailable; the events it took
// are stored once the database is back, the refused ones are not.
func TestAuditBatcherBackPressure(t *testing.T) {
	t.Parallel()
	onBoth(t, func(t *testing.T, db *postgres.DB) {
		const callers, capacity = 20, 4 // the writer holds one more
		var full atomic.Int64
		b := newBatcher(t, db, postgres.BatchOptions{MaxEvents: 1, Queue: capacity, Writers: 1, OnQueueFull: func() { full.Add(1) }})
		org := "org-" + uuid.NewString()[:8]
		release := blockAudit(t, db)
		defer release()
		refused, accepted := make(chan error, callers), make(chan error, callers)
		for range callers {
			go func() {
				start := time.Now()
				err := b.Append(t.Context(), auditEvent(org))
				if err != nil && time.Since(start) < 2*time.Second {
					refused <- err
					return
				}
				accepted <- err
			}()
		}
		// At most capacity+1 are taken; every other caller hears at once,
		// while the database is still blocked.
		for range callers - capacity - 1 {
			select {
			case err := <-refused:
				requireAuditUnavailable(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("a caller over the queue's capacity was not refused at once")
			}
		}
		release()
		var ok int
		for range capacity + 1 {
			select {
			case err := <-refused: // the last one may have lost to the writer's take
				requireAuditUnavailable(t, err)
			case err := <-accepted:
				require.NoError(t, err)
				ok++
			case <-time.After(10 * time.Second):
				t.Fatal("a queued event was not stored after the database came back")
			}
		}
		require.GreaterOrEqual(t, ok, capacity)
		require.Equal(t, ok, stored(t, db, org), "the refused events are not stored")
		require.EqualValues(t, callers-ok, full.Load())
	})
}

// TestAuditBatcherDuplicateIDs: a batch holding an id already stored and
// an id twice stores every other event; only the repeats' callers see
// ErrExists.
func TestAuditBatcherDuplicateIDs(t *testing.T) {
	t.Parallel()
	onBoth(t, func(t *testing.T, db *postgres.DB) {
		var mu sync.Mutex
		var sizes []int
		b := newBatcher(t, db, postgres.BatchOptions{MaxWait: time.Second, Writers: 1, OnBatch: func(n int, _ time.Duration, failed bool) {
			mu.Lock()
			defer mu.Unlock()
			if failed {
				sizes = append(sizes, n)
			}
		}})
		org := "org-" + uuid.NewString()[:8]
		old := auditEvent(org)
		require.NoError(t, postgres.NewAuditLog(db).Append(t.Context(), old))
		twin := auditEvent(org)
		evs := []*domain.AuditEvent{old, twin, twin}
		for range 8 {
			evs = append(evs, auditEvent(org))
		}
		errs := make([]error, len(evs))
		var wg sync.WaitGroup
		for i, e := range evs {
			wg.Go(func() { errs[i] = b.Append(t.Context(), e) })
		}
		wg.Wait()
		require.Equal(t, []int{len(evs)}, sizes, "got failed batches of %v, want one of all %d events", sizes, len(evs))
		require.ErrorIs(t, errs[0], domain.ErrExists, "the id already stored: got %v", errs[0])
		require.True(t, (errs[1] == nil) != (errs[2] == nil), "one twin is stored, got %v and %v", errs[1], errs[2])
		require.ErrorIs(t, errors.Join(errs[1], errs[2]), domain.ErrExists)
		for i, err := range errs[3:] {
			require.NoError(t, err, "event %d", i+3)
		}
		require.Equal(t, len(evs)-1, stored(t, db, org), "every id once")
	})
}

// TestAuditBatcherDatabaseFailure: a commit the database fails fails each
// of its callers with audit_unavailable.
func TestAuditBatcherDatabaseFailure(t *testing.T) {
	t.Parallel()
	onBoth(t, func(t *testing.T, db *postgres.DB) {
		b := newBatcher(t, db, postgres.BatchOptions{})
		require.NoError(t, db.Close())
		errs := make([]error, 10)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { errs[i] = b.Append(t.Context(), auditEvent("org-closed")) })
		}
		wg.Wait()
		for _, err := range errs {
			requireAuditUnavailable(t, err)
		}
	})
}

// TestAuditBatcherCloseFlushes: Close waits for the queued events to be
// stored, answers their callers, and refuses events after it.
func TestAuditBatcherCloseFlushes(t *testing.T) {
	t.Parallel()
	onBoth(t, func(t *testing.T, db *postgres.DB) {
		const n = 100
		b := postgres.NewAuditBatcher(db, postgres.BatchOptions{Writers: 1})
		org := "org-" + uuid.NewString()[:8]
		release := blockAudit(t, db)
		defer release()
		errs := make(chan error, n)
		for range n {
			go func() { errs <- b.Append(t.Context(), auditEvent(org)) }()
		}
		// The writer holds the first batch it took (its size depends on
		// timing) and waits for the database; the rest queue behind it.
		require.Eventually(t, func() bool { return b.Waiting() == n }, 5*time.Second, time.Millisecond,
			"every event is queued or in the writer's batch, waiting for the database")
		closed := make(chan struct{})
		go func() { b.Close(); close(closed) }()
		select {
		case <-closed:
			t.Fatal("Close returned with events queued")
		case <-time.After(200 * time.Millisecond):
		}
		release()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return after the database came back")
		}
		for range n {
			require.NoError(t, <-errs)
		}
		require.Equal(t, n, stored(t, db, org))
		requireAuditUnavailable(t, b.Append(t.Context(), auditEvent(org)))
		_, err := b.Query(t.Context(), application.AuditQuery{OrgID: org, Limit: 1})
		require.NoError(t, err, "Query still reads after Close")
	})
}
