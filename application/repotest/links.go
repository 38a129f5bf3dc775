package repotest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// runLinks is the application.Links part of the suite.
func runLinks(t *testing.T, fx Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testLinkRoundTrip(t, fx) })
	t.Run("Use", func(t *testing.T) { t.Parallel(); testLinkUse(t, fx) })
	t.Run("ConcurrentUses", func(t *testing.T) { t.Parallel(); testLinkConcurrentUses(t, fx) })
	t.Run("Revoke", func(t *testing.T) { t.Parallel(); testLinkRevoke(t, fx) })
	t.Run("RevokeFile", func(t *testing.T) { t.Parallel(); testLinkRevokeFile(t, fx) })
	t.Run("OfFile", func(t *testing.T) { t.Parallel(); testLinkOfFile(t, fx) })
	t.Run("DeleteExpired", func(t *testing.T) { testLinkDeleteExpired(t, fx) }) // not parallel: it owns its instant
	if fx.Tx != nil {
		t.Run("RolledBack", func(t *testing.T) { t.Parallel(); testLinkRolledBack(t, fx) })
	}
}

func newLink(t *testing.T, org, file string, maxUses int) *domain.Link {
	t.Helper()
	l, err := domain.NewLink(domain.LinkData{ID: newID(), OrgID: org, FilePath: org + "/accounting/receipt/r1/" + file,
		RecordID: newID(), Mode: domain.LinkGateway, CreatedBy: "user-1", CreatedAt: base,
		ExpiresAt: base.Add(10 * time.Minute), MaxUses: maxUses})
	require.NoError(t, err)
	return l
}

func testLinkRoundTrip(t *testing.T, fx Fixture) {
	ctx := context.Background()
	l := newLink(t, newOrg(), "a.pdf", 3)
	require.NoError(t, fx.Links.Create(ctx, l))
	got, err := fx.Links.Get(ctx, l.ID())
	require.NoError(t, err)
	want := l.Data()
	want.CreatedAt, want.ExpiresAt = micro(want.CreatedAt), micro(want.ExpiresAt)
	require.Equal(t, want, got.Data())
	requireKind(t, fx.Links.Create(ctx, l), domain.ErrExists, "")
	_, err = fx.Links.Get(ctx, newID())
	requireKind(t, err, domain.ErrNotFound, "")
	_, err = fx.Links.Use(ctx, newID(), base)
	requireKind(t, err, domain.ErrNotFound, "")
	_, err = fx.Links.Revoke(ctx, newID(), "user-1", base)
	requireKind(t, err, domain.ErrNotFound, "")
}

func testLinkUse(t *testing.T, fx Fixture) {
	ctx := context.Background()
	l := newLink(t, newOrg(), "a.pdf", 2)
	require.NoError(t, fx.Links.Create(ctx, l))
	for i := 1; i <= 2; i++ {
		got, err := fx.Links.Use(ctx, l.ID(), base.Add(time.Second))
		require.NoError(t, err)
		require.Equal(t, i, got.Uses())
	}
	got, err := fx.Links.Use(ctx, l.ID(), base.Add(time.Second))
	requireKind(t, err, domain.ErrForbidden, domain.CodeLinkExhausted)
	require.Equal(t, 2, got.Uses())

	unlimited := newLink(t, newOrg(), "b.pdf", 0)
	require.NoError(t, fx.Links.Create(ctx, unlimited))
	for range 5 {
		_, err := fx.Links.Use(ctx, unlimited.ID(), base.Add(time.Second))
		require.NoError(t, err)
	}
	got, err = fx.Links.Use(ctx, unlimited.ID(), base.Add(10*time.Minute))
	requireKind(t, err, domain.ErrForbidden, "url_expired")
	require.Equal(t, 5, got.Uses())
}

func testLinkConcurrentUses(t *testing.T, fx Fixture) {
	ctx := context.Background()
	l := newLink(t, newOrg(), "a.pdf", 3)
	require.NoError(t, fx.Links.Create(ctx, l))
	var ok, exhausted atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			_, err := fx.Links.Use(ctx, l.ID(), base.Add(time.Second))
			var de *domain.Error
			switch {
			case err == nil:
				ok.Add(1)
			case errors.As(err, &de) && de.Code == domain.CodeLinkExhausted:
				exhausted.Add(1)
			default:
				t.Errorf("use: %v", err)
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 3, ok.Load(), "uses allowed")
	require.EqualValues(t, 9, exhausted.Load(), "uses refused")
	got, err := fx.Links.Get(ctx, l.ID())
	require.NoError(t, err)
	require.Equal(t, 3, got.Uses())
}

func testLinkRevoke(t *testing.T, fx Fixture) {
	ctx := context.Background()
	l := newLink(t, newOrg(), "a.pdf", 0)
	require.NoError(t, fx.Links.Create(ctx, l))
	_, err := fx.Links.Use(ctx, l.ID(), base.Add(time.Second))
	require.NoError(t, err)
	got, err := fx.Links.Revoke(ctx, l.ID(), "user-2", base.Add(2*time.Second))
	require.NoError(t, err)
	require.True(t, got.Revoked())
	require.Equal(t, micro(base.Add(2*time.Second)), got.RevokedAt())
	got, err = fx.Links.Use(ctx, l.ID(), base.Add(3*time.Second))
	requireKind(t, err, domain.ErrForbidden, domain.CodeLinkRevoked)
	require.Equal(t, 1, got.Uses())
	again, err := fx.Links.Revoke(ctx, l.ID(), "user-3", base.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, "user-2", again.Data().RevokedBy, "the first revocation stands")
	require.Equal(t, micro(base.Add(2*time.Second)), again.RevokedAt())
}

func testLinkRevokeFile(t *testing.T, fx Fixture) {
	ctx := context.Background()
	org, other := newOrg(), newOrg()
	a1, a2, b := newLink(t, org, "a.pdf", 0), newLink(t, org, "a.pdf", 0), newLink(t, org, "b.pdf", 0)
	foreign := newLink(t, other, "a.pdf", 0)
	for _, l := range []*domain.Link{a1, a2, b, foreign} {
		require.NoError(t, fx.Links.Create(ctx, l))
	}
	_, err := fx.Links.Revoke(ctx, a2.ID(), "user-1", base)
	require.NoError(t, err)
	n, err := fx.Links.RevokeFile(ctx, org, a1.FilePath(), "user-2", base.Add(time.Second))
	require.NoError(t, err)
	require.Equal(t, 1, n, "a2 was revoked already")
	for l, revoked := range map[*domain.Link]bool{a1: true, a2: true, b: false, foreign: false} {
		got, err := fx.Links.Get(ctx, l.ID())
		require.NoError(t, err)
		require.Equal(t, revoked, got.Revoked(), l.FilePath())
	}
	n, err = fx.Links.RevokeFile(ctx, org, a1.FilePath(), "user-2", base.Add(time.Second))
	require.NoError(t, err)
	require.Zero(t, n)
}

func testLinkOfFile(t *testing.T, fx Fixture) {
	ctx := context.Background()
	org, other := newOrg(), newOrg()
	// Five links of one file, two sharing a creation time (ordered by id
	// then), one of another file and one of another org's same path.
	var want []*domain.Link
	for i, at := range []time.Duration{0, time.Second, time.Second, 2 * time.Second, 3 * time.Second} {
		d := newLink(t, org, "a.pdf", i).Data()
		d.CreatedAt = base.Add(at)
		l, err := domain.NewLink(d)
		require.NoError(t, err)
		require.NoError(t, fx.Links.Create(ctx, l))
		want = append(want, l)
	}
	sort.SliceStable(want, func(i, j int) bool {
		a, b := want[i].Data(), want[j].Data()
		return a.CreatedAt.Before(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID
	})
	require.NoError(t, fx.Links.Create(ctx, newLink(t, org, "b.pdf", 0)))
	require.NoError(t, fx.Links.Create(ctx, newLink(t, other, "a.pdf", 0)))
	_, err := fx.Links.Revoke(ctx, want[1].ID(), "user-2", base.Add(time.Minute))
	require.NoError(t, err)

	var got []string
	q := application.LinkQuery{OrgID: org, FilePath: want[0].FilePath(), Limit: 2}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 4, "paging must end")
		page, err := fx.Links.OfFile(ctx, q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2)
		for _, l := range page {
			require.Equal(t, org, l.OrgID())
			got = append(got, l.ID())
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		q.After = application.LinkPosition{CreatedAt: last.Data().CreatedAt, ID: last.ID()}
	}
	ids := make([]string, len(want))
	for i, l := range want {
		ids[i] = l.ID()
	}
	require.Equal(t, ids, got, "every link of the file once, oldest first, ties by id")

	all, err := fx.Links.OfFile(ctx, application.LinkQuery{OrgID: org, FilePath: want[0].FilePath(), Limit: 10})
	require.NoError(t, err)
	require.Len(t, all, 5)
	require.True(t, all[1].Revoked(), "a listing shows the revocation")
	require.Equal(t, "user-2", all[1].Data().RevokedBy)
	none, err := fx.Links.OfFile(ctx, application.LinkQuery{OrgID: newOrg(), FilePath: want[0].FilePath(), Limit: 10})
	require.NoError(t, err)
	require.Empty(t, none, "another org's listing of the same path is empty")
}

func testLinkRolledBack(t *testing.T, fx Fixture) {
	ctx := context.Background()
	kept := newLink(t, newOrg(), "a.pdf", 0)
	require.NoError(t, fx.Links.Create(ctx, kept))
	dropped := newLink(t, kept.OrgID(), "b.pdf", 0)
	boom := errors.New("boom")
	err := fx.Tx.InTx(ctx, func(ctx context.Context) error {
		require.NoError(t, fx.Links.Create(ctx, dropped))
		if _, err := fx.Links.Use(ctx, kept.ID(), base.Add(time.Second)); err != nil {
			return err
		}
		if _, err := fx.Links.RevokeFile(ctx, kept.OrgID(), kept.FilePath(), "user-1", base); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = fx.Links.Get(ctx, dropped.ID())
	requireKind(t, err, domain.ErrNotFound, "")
	got, err := fx.Links.Get(ctx, kept.ID())
	require.NoError(t, err)
	require.Zero(t, got.Uses())
	require.False(t, got.Revoked())
}

func testLinkDeleteExpired(t *testing.T, fx Fixture) {
	ctx := context.Background()
	// An instant of its own, far from the other tests' links (which expire
	// 10 minutes after base), so that no other link is due.
	at := base.Add(-1000 * time.Hour)
	mk := func(expires time.Duration) *domain.Link {
		l, err := domain.NewLink(domain.LinkData{ID: newID(), OrgID: "org-x", FilePath: "org-x/accounting/receipt/r1/a.pdf",
			RecordID: newID(), Mode: domain.LinkLocal, CreatedBy: "user-1", CreatedAt: at.Add(-2 * time.Hour),
			ExpiresAt: at.Add(expires)})
		require.NoError(t, err)
		require.NoError(t, fx.Links.Create(ctx, l))
		return l
	}
	old1, old2, edge, live := mk(-time.Hour), mk(-30*time.Minute), mk(0), mk(time.Minute)
	n, err := fx.Links.DeleteExpired(ctx, at, 2)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the limit")
	for _, l := range []*domain.Link{old1, old2} {
		_, err := fx.Links.Get(ctx, l.ID())
		requireKind(t, err, domain.ErrNotFound, "") // the earliest first
	}
	n, err = fx.Links.DeleteExpired(ctx, at, 100)
	require.NoError(t, err)
	require.Equal(t, 1, n, "expired at the instant itself")
	_, err = fx.Links.Get(ctx, edge.ID())
	requireKind(t, err, domain.ErrNotFound, "")
	_, err = fx.Links.Get(ctx, live.ID())
	require.NoError(t, err, "a link still valid is kept")
	_, err = fx.Links.DeleteExpired(ctx, time.Time{}, 1)
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Links.DeleteExpired(ctx, at, 0)
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Links.Get(ctx, live.ID())
	require.NoError(t, err)
}
