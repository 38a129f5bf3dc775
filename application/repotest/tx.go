package repotest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// runTx is the suite of application.Transactor: a unit of work over the
// files, the sessions and the audit trail commits whole or not at all.
func runTx(t *testing.T, fx Fixture) {
	t.Run("Commit", func(t *testing.T) { t.Parallel(); testTxCommit(t, fx) })
	t.Run("RollbackOnError", func(t *testing.T) { t.Parallel(); testTxRollbackOnError(t, fx) })
	t.Run("RollbackOnFailedAppend", func(t *testing.T) { t.Parallel(); testTxRollbackOnFailedAppend(t, fx) })
	t.Run("Nested", func(t *testing.T) { t.Parallel(); testTxNested(t, fx) })
	t.Run("PurgeClaim", func(t *testing.T) { t.Parallel(); testTxPurgeClaim(t, fx) })
	t.Run("Concurrent", func(t *testing.T) { t.Parallel(); testTxConcurrent(t, fx) })
}

var errAbort = errors.New("the unit of work gave up")

// eventExists reports whether org's trail holds the event id.
func eventExists(t *testing.T, fx Fixture, org, id string) bool {
	t.Helper()
	for _, e := range query(t, fx, application.AuditQuery{OrgID: org}) {
		if e.ID() == id {
			return true
		}
	}
	return false
}

func testTxCommit(t *testing.T, fx Fixture) {
	org := newOrg()
	p := path(t, org+"/workspace/doc/d1/a.pdf")
	rec := active(t, fx, p)
	ev := event(t, org, base, nil)
	var saved *domain.FileRecord
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		var err error
		require.NoError(t, rec.SoftDelete("user-1", base))
		if saved, err = fx.Files.Update(ctx, rec); err != nil {
			return err
		}
		got, err := fx.Files.Get(ctx, p) // reads in the transaction see its writes
		require.NoError(t, err)
		require.True(t, got.Deleted(), "read in the transaction: got %+v, want it deleted", got.Data())
		return fx.Audit.Append(ctx, ev)
	})
	require.NoError(t, err)
	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	require.True(t, got.Deleted())
	require.Equal(t, saved.Version(), got.Version())
	require.True(t, eventExists(t, fx, org, ev.ID()), "the event did not commit with the change")
}

func testTxRollbackOnError(t *testing.T, fx Fixture) {
	org := newOrg()
	existing := active(t, fx, path(t, org+"/workspace/doc/d1/a.pdf"))
	fresh := path(t, org+"/workspace/doc/d2/b.pdf")
	ev := event(t, org, base, nil)
	var s *domain.UploadSession
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		rec, err := domain.NewPendingRecord(newID(), fresh, "b.pdf", "user-1", "up-"+newID(), base, time.Minute)
		require.NoError(t, err)
		_, err = fx.Files.Create(ctx, rec)
		require.NoError(t, err)
		changed := existing
		require.NoError(t, changed.SoftDelete("user-1", base))
		_, err = fx.Files.Update(ctx, changed)
		require.NoError(t, err)
		require.NoError(t, fx.Audit.Append(ctx, ev))
		if fx.Sessions != nil {
			s, err = fx.Sessions.Create(ctx, session(t, org, time.Hour))
			require.NoError(t, err)
		}
		return errAbort
	})
	require.ErrorIs(t, err, errAbort, "got %v, want fn's own error", err)
	_, err = fx.Files.Get(ctx(t), fresh)
	requireKind(t, err, domain.ErrNotFound, "")
	got, err := fx.Files.Get(ctx(t), existing.Path())
	require.NoError(t, err)
	require.False(t, got.Deleted(), "the update was kept after a rollback")
	require.Equal(t, int64(2), got.Version(), "version after a rollback")
	require.False(t, eventExists(t, fx, org, ev.ID()), "the event was kept after a rollback")
	if s != nil {
		_, err = fx.Sessions.Get(ctx(t), s.ID())
		requireKind(t, err, domain.ErrNotFound, "")
	}
}

// testTxRollbackOnFailedAppend fails the event (its id is taken): the
// change made before it in the transaction is rolled back too.
func testTxRollbackOnFailedAppend(t *testing.T, fx Fixture) {
	org := newOrg()
	rec := active(t, fx, rec0Path(t, org))
	taken := event(t, org, base, nil)
	appendAll(t, fx, taken)
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		require.NoError(t, rec.SoftDelete("user-1", base))
		if _, err := fx.Files.Update(ctx, rec); err != nil {
			return err
		}
		return fx.Audit.Append(ctx, taken)
	})
	requireKind(t, err, domain.ErrExists, "")
	got, err := fx.Files.Get(ctx(t), rec.Path())
	require.NoError(t, err)
	require.False(t, got.Deleted(), "a change was committed without its event")
	// The store is usable afterwards (SQLite: the connection was released).
	require.NoError(t, fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		_, err := fx.Files.Update(ctx, got)
		return err
	}))
}

func rec0Path(t *testing.T, org string) domain.StoragePath {
	return path(t, org+"/workspace/doc/d1/a.pdf")
}

// testTxNested runs an InTx inside another: the inner one joins the outer
// and is rolled back with it.
func testTxNested(t *testing.T, fx Fixture) {
	org := newOrg()
	p := rec0Path(t, org)
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		require.NoError(t, fx.Tx.InTx(ctx, func(ctx context.Context) error {
			rec, err := domain.NewPendingRecord(newID(), p, "a.pdf", "user-1", "up-"+newID(), base, time.Minute)
			require.NoError(t, err)
			_, err = fx.Files.Create(ctx, rec)
			return err
		}))
		_, err := fx.Files.Get(ctx, p)
		require.NoError(t, err, "the inner transaction's write is seen by the outer one")
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	_, err = fx.Files.Get(ctx(t), p)
	requireKind(t, err, domain.ErrNotFound, "")
}

// testTxPurgeClaim claims a purge batch inside a transaction: the
// tombstones commit with what else the transaction wrote, or not at all.
func testTxPurgeClaim(t *testing.T, fx Fixture) {
	org := newOrg()
	rec := softDeleted(t, fx, rec0Path(t, org), base)
	q := application.PurgeBatchQuery{Before: base.Add(time.Second), OrgID: org, Limit: 10}
	tombstone := func(ctx context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
		for _, r := range due {
			_, err := r.Purge(domain.SystemActor, base)
			require.NoError(t, err)
		}
		return due, nil
	}
	ev := event(t, org, base, nil)
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		saved, err := fx.Files.ClaimPurgeBatch(ctx, q, tombstone)
		require.NoError(t, err)
		require.Len(t, saved, 1)
		require.NoError(t, fx.Audit.Append(ctx, ev))
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	got, err := fx.Files.Get(ctx(t), rec.Path())
	require.NoError(t, err)
	require.Equal(t, domain.StateActive, got.State(), "a tombstone outlived its rolled-back transaction")
	require.False(t, eventExists(t, fx, org, ev.ID()))

	require.NoError(t, fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		saved, err := fx.Files.ClaimPurgeBatch(ctx, q, tombstone)
		if err == nil && len(saved) != 1 {
			err = errors.New("the record was not claimed again")
		}
		if err != nil {
			return err
		}
		return fx.Audit.Append(ctx, ev)
	}))
	got, err = fx.Files.Get(ctx(t), rec.Path())
	require.NoError(t, err)
	require.Equal(t, domain.StatePurged, got.State())
	require.True(t, eventExists(t, fx, org, ev.ID()))
}

// testTxConcurrent has a few workers change one record, each in its own
// transaction with its event, from the same version: exactly one wins,
// the others fail with a conflict, and only the winner's event is kept.
func testTxConcurrent(t *testing.T, fx Fixture) {
	const txWorkers = 5
	org := newOrg()
	rec := active(t, fx, rec0Path(t, org))
	events := make([]*domain.AuditEvent, txWorkers)
	for i := range events {
		events[i] = event(t, org, base, nil)
	}
	errs := parallel(func(i int) error {
		if i >= txWorkers {
			return nil
		}
		return fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
			mine, err := domain.RehydrateFileRecord(rec.Data())
			if err != nil {
				return err
			}
			if err := mine.SoftDelete("user-"+events[i].ID(), base); err != nil {
				return err
			}
			if _, err := fx.Files.Update(ctx, mine); err != nil {
				return err
			}
			return fx.Audit.Append(ctx, events[i])
		})
	})
	requireOneWinner(t, errs[:txWorkers], domain.ErrExists, domain.CodeConcurrentUpdate)
	got, err := fx.Files.Get(ctx(t), rec.Path())
	require.NoError(t, err)
	require.Equal(t, rec.Version()+1, got.Version())
	for i, err := range errs[:txWorkers] {
		require.Equal(t, err == nil, eventExists(t, fx, org, events[i].ID()), "worker %d (%v): event kept iff it won", i, err)
		if err == nil {
			require.Equal(t, "user-"+events[i].ID(), got.DeletedBy(), "the record holds the winner's change")
		}
	}
}
