package repotest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/domain"
)

func runTus(t *testing.T, fx Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testTusRoundTrip(t, fx) })
	t.Run("Optimistic", func(t *testing.T) { t.Parallel(); testTusOptimistic(t, fx) })
	t.Run("ListExpired", func(t *testing.T) { t.Parallel(); testTusListExpired(t, fx) })
	t.Run("ConcurrentLocks", func(t *testing.T) { t.Parallel(); testTusConcurrentLocks(t, fx) })
	if fx.Tx != nil {
		t.Run("Rollback", func(t *testing.T) { t.Parallel(); testTusRollback(t, fx) })
	}
}

// tusUpload builds the TUS state of a fresh session of org.
func tusUpload(t *testing.T, org string, ttl time.Duration) *domain.TusUpload {
	t.Helper()
	s := session(t, org, ttl)
	u, err := domain.NewTusUpload(s, "filename "+"YS5wZGY=", base)
	require.NoError(t, err)
	return u
}

func testTusRoundTrip(t *testing.T, fx Fixture) {
	u := tusUpload(t, newOrg(), time.Hour)
	created, err := fx.Tus.Create(ctx(t), u)
	require.NoError(t, err)
	require.EqualValues(t, 1, created.Version())
	_, err = fx.Tus.Create(ctx(t), u)
	require.ErrorIs(t, err, domain.ErrExists, "got %v, want ErrExists for a second create", err)

	require.NoError(t, created.Lock("owner-1", base, time.Minute))
	created.SegmentStored(1234, base)
	saved, err := fx.Tus.Update(ctx(t), created)
	require.NoError(t, err)
	got, err := fx.Tus.Get(ctx(t), u.ID())
	require.NoError(t, err)
	g, w := got.Data(), saved.Data()
	require.Equal(t, w.Offset, g.Offset)
	require.Equal(t, []int64{1234}, g.Segments)
	require.Equal(t, "owner-1", g.LockOwner)
	require.True(t, micro(g.LockUntil).Equal(micro(base.Add(time.Minute))), "got lock until %v", g.LockUntil)
	require.Equal(t, u.Path(), got.Path())
	require.Equal(t, u.Metadata(), got.Metadata())
	require.EqualValues(t, 2, got.Version())

	got.Unlock(base)
	got.Complete(base)
	done, err := fx.Tus.Update(ctx(t), got)
	require.NoError(t, err)
	again, err := fx.Tus.Get(ctx(t), u.ID())
	require.NoError(t, err)
	require.True(t, again.Completed())
	require.Empty(t, again.Data().LockOwner)
	require.True(t, again.Data().LockUntil.IsZero(), "got lock until %v, want none", again.Data().LockUntil)
	require.NoError(t, fx.Tus.Delete(ctx(t), done))
	_, err = fx.Tus.Get(ctx(t), u.ID())
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func testTusOptimistic(t *testing.T, fx Fixture) {
	created, err := fx.Tus.Create(ctx(t), tusUpload(t, newOrg(), time.Hour))
	require.NoError(t, err)
	stale := created
	_, err = fx.Tus.Update(ctx(t), created)
	require.NoError(t, err)
	_, err = fx.Tus.Update(ctx(t), stale)
	require.True(t, isConflict(err), "got %v, want concurrent_update", err)
	require.True(t, isConflict(fx.Tus.Delete(ctx(t), stale)), "a stale delete must be concurrent_update")
	missing := tusUpload(t, newOrg(), time.Hour)
	_, err = fx.Tus.Update(ctx(t), missing)
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.ErrorIs(t, fx.Tus.Delete(ctx(t), missing), domain.ErrNotFound)
}

func testTusListExpired(t *testing.T, fx Fixture) {
	org := newOrg()
	short, err := fx.Tus.Create(ctx(t), tusUpload(t, org, time.Minute))
	require.NoError(t, err)
	long, err := fx.Tus.Create(ctx(t), tusUpload(t, org, 1000*time.Hour))
	require.NoError(t, err)
	var ids []string
	after := ""
	for {
		page, err := fx.Tus.ListExpired(ctx(t), base.Add(time.Hour), after, 50)
		require.NoError(t, err)
		for _, u := range page {
			ids = append(ids, u.ID())
			after = u.ID()
		}
		if len(page) < 50 {
			break
		}
	}
	require.Contains(t, ids, short.ID())
	require.NotContains(t, ids, long.ID())
	_, err = fx.Tus.ListExpired(ctx(t), time.Time{}, "", 10)
	require.ErrorIs(t, err, domain.ErrInvalid)
	_, err = fx.Tus.ListExpired(ctx(t), base, "", 0)
	require.ErrorIs(t, err, domain.ErrInvalid)
}

// testTusConcurrentLocks: of many workers taking the lease of one upload
// from the same stored version, exactly one wins.
func testTusConcurrentLocks(t *testing.T, fx Fixture) {
	created, err := fx.Tus.Create(ctx(t), tusUpload(t, newOrg(), time.Hour))
	require.NoError(t, err)
	const workers = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := domain.RehydrateTusUpload(created.Data())
			if err != nil {
				t.Error(err)
				return
			}
			if err := u.Lock("owner-"+string(rune('a'+i)), base, time.Minute); err != nil {
				t.Error(err)
				return
			}
			_, err = fx.Tus.Update(ctx(t), u)
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !isConflict(err):
				t.Errorf("got %v, want success or concurrent_update", err)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, wins, "got %d winners of one lease, want 1", wins)
}

func testTusRollback(t *testing.T, fx Fixture) {
	u := tusUpload(t, newOrg(), time.Hour)
	boom := errors.New("boom")
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		if _, err := fx.Tus.Create(ctx, u); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = fx.Tus.Get(ctx(t), u.ID())
	require.ErrorIs(t, err, domain.ErrNotFound, "a create in a rolled-back transaction must not stay")
}
