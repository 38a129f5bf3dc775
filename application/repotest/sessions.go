package repotest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/domain"
)

// runSessions is the application.UploadSessions part of the suite.
func runSessions(t *testing.T, fx Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testSessionRoundTrip(t, fx) })
	t.Run("CreateErrors", func(t *testing.T) { t.Parallel(); testSessionCreateErrors(t, fx) })
	t.Run("OptimisticUpdate", func(t *testing.T) { t.Parallel(); testSessionUpdate(t, fx) })
	t.Run("OptimisticDelete", func(t *testing.T) { t.Parallel(); testSessionDelete(t, fx) })
	t.Run("ListExpired", func(t *testing.T) { t.Parallel(); testSessionListExpired(t, fx) })
	t.Run("ListExpiredInvalid", func(t *testing.T) { t.Parallel(); testSessionListInvalid(t, fx) })
	t.Run("ConcurrentClaims", func(t *testing.T) { t.Parallel(); testSessionConcurrentClaims(t, fx) })
}

// session builds an active session of org, created at base, living ttl.
func session(t *testing.T, org string, ttl time.Duration) *domain.UploadSession {
	t.Helper()
	plan, err := domain.PlanParts(40<<20+7, 0)
	require.NoError(t, err)
	s, err := domain.NewUploadSession(domain.UploadSessionData{
		ID: newID(), Path: path(t, org+"/app-builder/source/app-1/bundle-"+newID()[:8]+".zip"),
		UploadID: "up-" + newID(), StoreUploadID: "store/" + newID() + "~x", OriginalFilename: "bundle (1).zip",
		DeclaredSize: plan.FileSize, PartSize: plan.Size, ContentType: "application/zip", CreatedBy: "user-1",
	}, base, ttl)
	require.NoError(t, err)
	return s
}

// requireSameSession fails unless got holds want's data, times compared at
// microsecond precision, and every time of got is in UTC.
func requireSameSession(t *testing.T, want domain.UploadSessionData, got *domain.UploadSession) {
	t.Helper()
	g := got.Data()
	norm := func(d domain.UploadSessionData) domain.UploadSessionData {
		d.CreatedAt, d.UpdatedAt, d.ExpiresAt = micro(d.CreatedAt), micro(d.UpdatedAt), micro(d.ExpiresAt)
		d.ClaimedUntil = micro(d.ClaimedUntil)
		return d
	}
	for _, tm := range []time.Time{g.CreatedAt, g.UpdatedAt, g.ExpiresAt, g.ClaimedUntil} {
		require.Equal(t, time.UTC, tm.Location(), "got time %v, want UTC", tm)
	}
	require.Equal(t, norm(want), norm(g))
}

func testSessionRoundTrip(t *testing.T, fx Fixture) {
	s := session(t, newOrg(), 24*time.Hour)
	want := s.Data()
	want.Version = 1
	created, err := fx.Sessions.Create(ctx(t), s)
	require.NoError(t, err)
	requireSameSession(t, want, created)
	got, err := fx.Sessions.Get(ctx(t), s.ID())
	require.NoError(t, err)
	requireSameSession(t, want, got)

	_, err = fx.Sessions.Get(ctx(t), newID())
	requireKind(t, err, domain.ErrNotFound, "")
}

func testSessionCreateErrors(t *testing.T, fx Fixture) {
	org := newOrg()
	s := session(t, org, time.Hour)
	_, err := fx.Sessions.Create(ctx(t), s)
	require.NoError(t, err)
	_, err = fx.Sessions.Create(ctx(t), s)
	requireKind(t, err, domain.ErrExists, "")

	sameUpload := session(t, org, time.Hour).Data()
	sameUpload.UploadID = s.UploadID()
	dup, err := domain.RehydrateUploadSession(sameUpload)
	require.NoError(t, err)
	_, err = fx.Sessions.Create(ctx(t), dup)
	requireKind(t, err, domain.ErrExists, "")
}

func testSessionUpdate(t *testing.T, fx Fixture) {
	s, err := fx.Sessions.Create(ctx(t), session(t, newOrg(), time.Hour))
	require.NoError(t, err)
	stale := *s
	require.NoError(t, s.BeginComplete(base.Add(time.Minute), time.Minute))
	want := s.Data()
	want.Version = 2
	updated, err := fx.Sessions.Update(ctx(t), s)
	require.NoError(t, err)
	requireSameSession(t, want, updated)
	got, err := fx.Sessions.Get(ctx(t), s.ID())
	require.NoError(t, err)
	requireSameSession(t, want, got)
	require.Equal(t, domain.SessionCompleting, got.State())

	require.NoError(t, stale.BeginAbort(base.Add(2*time.Minute), time.Minute))
	_, err = fx.Sessions.Update(ctx(t), &stale)
	requireKind(t, err, domain.ErrExists, domain.CodeConcurrentUpdate)

	_, err = fx.Sessions.Update(ctx(t), session(t, newOrg(), time.Hour))
	requireKind(t, err, domain.ErrNotFound, "")
}

func testSessionDelete(t *testing.T, fx Fixture) {
	s, err := fx.Sessions.Create(ctx(t), session(t, newOrg(), time.Hour))
	require.NoError(t, err)
	stale := *s
	require.NoError(t, s.BeginAbort(base, time.Minute))
	s, err = fx.Sessions.Update(ctx(t), s)
	require.NoError(t, err)
	requireKind(t, fx.Sessions.Delete(ctx(t), &stale), domain.ErrExists, domain.CodeConcurrentUpdate)
	require.NoError(t, fx.Sessions.Delete(ctx(t), s))
	_, err = fx.Sessions.Get(ctx(t), s.ID())
	requireKind(t, err, domain.ErrNotFound, "")
	requireKind(t, fx.Sessions.Delete(ctx(t), s), domain.ErrNotFound, "")
}

func testSessionListExpired(t *testing.T, fx Fixture) {
	org := newOrg()
	before := base.Add(time.Hour)
	var want []string
	for _, ttl := range []time.Duration{time.Minute, time.Hour, 30 * time.Minute, time.Hour, time.Second} {
		s, err := fx.Sessions.Create(ctx(t), session(t, org, ttl))
		require.NoError(t, err)
		want = append(want, s.ID()) // expiry at or before `before`
	}
	for _, ttl := range []time.Duration{time.Hour + time.Microsecond, 48 * time.Hour} {
		_, err := fx.Sessions.Create(ctx(t), session(t, org, ttl))
		require.NoError(t, err)
	}
	slices.Sort(want)
	// Other tests share the store: page through everything, keep ours.
	var got, all []string
	after := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10000, "ListExpired does not advance")
		page, err := fx.Sessions.ListExpired(ctx(t), before, after, 2)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2)
		for _, s := range page {
			require.False(t, s.ExpiresAt().After(before), "got a session expiring at %v, after %v", s.ExpiresAt(), before)
			all = append(all, s.ID())
			if s.Path().OrgID() == org {
				got = append(got, s.ID())
			}
			after = s.ID()
		}
		if len(page) < 2 {
			break
		}
	}
	require.True(t, slices.IsSorted(all), "got ids out of order: %v", all)
	require.Equal(t, want, got)
}

func testSessionListInvalid(t *testing.T, fx Fixture) {
	_, err := fx.Sessions.ListExpired(ctx(t), time.Time{}, "", 10)
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Sessions.ListExpired(ctx(t), base, "", 0)
	requireKind(t, err, domain.ErrInvalid, "")
}

// testSessionConcurrentClaims has 20 workers claim one session from the
// same version: exactly one may win.
func testSessionConcurrentClaims(t *testing.T, fx Fixture) {
	s, err := fx.Sessions.Create(ctx(t), session(t, newOrg(), time.Hour))
	require.NoError(t, err)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := *s
			claim := mine.BeginAbort
			if i%2 == 0 {
				claim = mine.BeginComplete
			}
			if err := claim(base, time.Minute); err != nil {
				t.Errorf("claim: got %v, want nil", err)
				return
			}
			_, err := fx.Sessions.Update(ctx(t), &mine)
			if err != nil {
				if !isConflict(err) {
					t.Errorf("losing claim: got %v, want a concurrent_update", err)
				}
				return
			}
			mu.Lock()
			wins++
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, 1, wins, "got %d winning claims, want 1", wins)
}

func isConflict(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeConcurrentUpdate
}
