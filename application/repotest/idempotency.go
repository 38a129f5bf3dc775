package repotest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/domain"
)

// runIdempotencyKeys is the application.IdempotencyKeys part of the suite.
func runIdempotencyKeys(t *testing.T, fx Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testKeyRoundTrip(t, fx) })
	t.Run("Scopes", func(t *testing.T) { t.Parallel(); testKeyScopes(t, fx) })
	t.Run("OptimisticUpdate", func(t *testing.T) { t.Parallel(); testKeyUpdate(t, fx) })
	t.Run("OptimisticDelete", func(t *testing.T) { t.Parallel(); testKeyDelete(t, fx) })
	t.Run("DeleteExpired", func(t *testing.T) { testKeyDeleteExpired(t, fx) }) // not parallel: it owns its instant
	t.Run("ConcurrentClaims", func(t *testing.T) { t.Parallel(); testKeyConcurrentClaims(t, fx) })
}

var keyTiming = domain.IdempotencyTiming{TTL: 24 * time.Hour, Lease: 30 * time.Second}

// claim is a fresh in-progress key of org for user-1 at at.
func claim(t *testing.T, org, key string, at time.Time) *domain.IdempotencyRecord {
	t.Helper()
	r, err := domain.NewIdempotencyClaim(domain.IdempotencyScope{OrgID: org, UserID: "user-1", Key: key},
		domain.ActionUpload, "req-"+newID(), "owner-"+newID(), at, keyTiming)
	require.NoError(t, err)
	return r
}

func requireSameKey(t *testing.T, want domain.IdempotencyRecordData, got *domain.IdempotencyRecord) {
	t.Helper()
	g := got.Data()
	norm := func(d domain.IdempotencyRecordData) domain.IdempotencyRecordData {
		d.CreatedAt, d.LeaseUntil, d.ExpiresAt = micro(d.CreatedAt), micro(d.LeaseUntil), micro(d.ExpiresAt)
		if len(d.Answer.Body) == 0 {
			d.Answer.Body = nil
		}
		if len(d.Answer.Header) == 0 {
			d.Answer.Header = nil
		}
		return d
	}
	for _, tm := range []time.Time{g.CreatedAt, g.LeaseUntil, g.ExpiresAt} {
		require.Equal(t, time.UTC, tm.Location(), "got time %v, want UTC", tm)
	}
	require.Equal(t, norm(want), norm(g))
}

func testKeyRoundTrip(t *testing.T, fx Fixture) {
	// The longest key, of every allowed character.
	key := strings.Repeat("aZ09._:~+/=-", 22)[:domain.MaxIdempotencyKeyBytes]
	r := claim(t, newOrg(), key, base)
	want := r.Data()
	want.Version = 1
	created, err := fx.Idempotency.Create(ctx(t), r)
	require.NoError(t, err)
	requireSameKey(t, want, created)
	got, err := fx.Idempotency.Get(ctx(t), r.Scope())
	require.NoError(t, err)
	requireSameKey(t, want, got)

	// Applied (the change committed), then completed (the answer stored).
	require.NoError(t, got.Apply(want.Owner))
	got, err = fx.Idempotency.Update(ctx(t), got)
	require.NoError(t, err)
	got, err = fx.Idempotency.Get(ctx(t), r.Scope())
	require.NoError(t, err)
	require.True(t, got.Applied() && !got.Completed(), "got state %s, want applied", got.Data().State)

	answer := domain.IdempotentAnswer{Status: 201, Header: map[string][]string{"Content-Type": {"application/json"}, "Location": {"/x"}},
		Body: []byte("{\"file_path\":\"a\u00e9\"}\x00\xff")}
	outcome := domain.IdempotencyOutcome{FilePath: "org/accounting/receipt/r-1/a.pdf", ErrorCode: ""}
	require.NoError(t, got.Complete(want.Owner, "fp-1", answer, outcome))
	updated, err := fx.Idempotency.Update(ctx(t), got)
	require.NoError(t, err)
	want = got.Data()
	want.Version = 3
	requireSameKey(t, want, updated)
	got, err = fx.Idempotency.Get(ctx(t), r.Scope())
	require.NoError(t, err)
	requireSameKey(t, want, got)
	require.True(t, got.Completed(), "got in progress, want completed")

	_, err = fx.Idempotency.Get(ctx(t), domain.IdempotencyScope{OrgID: newOrg(), UserID: "user-1", Key: "k"})
	requireKind(t, err, domain.ErrNotFound, "")
}

func testKeyScopes(t *testing.T, fx Fixture) {
	org := newOrg()
	_, err := fx.Idempotency.Create(ctx(t), claim(t, org, "k-1", base))
	require.NoError(t, err)
	_, err = fx.Idempotency.Create(ctx(t), claim(t, org, "k-1", base.Add(time.Hour)))
	requireKind(t, err, domain.ErrExists, "")

	// The same key of another user or another org, or another key, is another row.
	other := claim(t, org, "k-1", base).Data()
	other.Scope.UserID = "user-2"
	r, err := domain.RehydrateIdempotencyRecord(other)
	require.NoError(t, err)
	_, err = fx.Idempotency.Create(ctx(t), r)
	require.NoError(t, err)
	_, err = fx.Idempotency.Create(ctx(t), claim(t, newOrg(), "k-1", base))
	require.NoError(t, err)
	_, err = fx.Idempotency.Create(ctx(t), claim(t, org, "K-1", base))
	require.NoError(t, err, "keys are case-sensitive")
}

func testKeyUpdate(t *testing.T, fx Fixture) {
	r := claim(t, newOrg(), "k", base)
	_, err := fx.Idempotency.Update(ctx(t), r)
	requireKind(t, err, domain.ErrNotFound, "")
	v1, err := fx.Idempotency.Create(ctx(t), r)
	require.NoError(t, err)
	require.NoError(t, v1.Renew(r.Data().Owner, base.Add(time.Second), time.Minute))
	v2, err := fx.Idempotency.Update(ctx(t), v1)
	require.NoError(t, err)
	require.Equal(t, int64(2), v2.Version())
	_, err = fx.Idempotency.Update(ctx(t), v1) // stale
	requireKind(t, err, domain.ErrExists, domain.CodeConcurrentUpdate)
}

func testKeyDelete(t *testing.T, fx Fixture) {
	r := claim(t, newOrg(), "k", base)
	err := fx.Idempotency.Delete(ctx(t), r)
	requireKind(t, err, domain.ErrNotFound, "")
	v1, err := fx.Idempotency.Create(ctx(t), r)
	require.NoError(t, err)
	v2, err := fx.Idempotency.Update(ctx(t), v1)
	require.NoError(t, err)
	requireKind(t, fx.Idempotency.Delete(ctx(t), v1), domain.ErrExists, domain.CodeConcurrentUpdate)
	require.NoError(t, fx.Idempotency.Delete(ctx(t), v2))
	_, err = fx.Idempotency.Get(ctx(t), r.Scope())
	requireKind(t, err, domain.ErrNotFound, "")
	_, err = fx.Idempotency.Create(ctx(t), r)
	require.NoError(t, err, "a deleted key can be claimed again")
}

func testKeyDeleteExpired(t *testing.T, fx Fixture) {
	// An instant of its own, long before every other test's keys.
	at := time.Date(2001, 2, 3, 4, 5, 6, 789, time.UTC)
	org := newOrg()
	short := domain.IdempotencyTiming{TTL: time.Hour, Lease: 30 * time.Second}
	mk := func(key string, created time.Time, complete bool) *domain.IdempotencyRecord {
		r, err := domain.NewIdempotencyClaim(domain.IdempotencyScope{OrgID: org, UserID: "u", Key: key},
			domain.ActionDelete, "req", "owner-"+key, created, short)
		require.NoError(t, err)
		if complete {
			require.NoError(t, r.Complete("owner-"+key, "fp", domain.IdempotentAnswer{Status: 200}, domain.IdempotencyOutcome{}))
		}
		saved, err := fx.Idempotency.Create(ctx(t), r)
		require.NoError(t, err)
		return saved
	}
	doneOld := mk("done-old", at.Add(-2*time.Hour), true)               // expired
	doneEdge := mk("done-edge", at.Add(-time.Hour), true)               // expires exactly at: expired
	lapsed := mk("lapsed", at.Add(-2*time.Hour), false)                 // expired, lease long gone
	fresh := mk("fresh", at.Add(-time.Minute), true)                    // live
	running := mk("running", at.Add(-2*time.Hour), false)               // expired, but its lease is renewed:
	require.NoError(t, running.Renew("owner-running", at, time.Minute)) // the request still runs
	_, err := fx.Idempotency.Update(ctx(t), running)
	require.NoError(t, err)

	n, err := fx.Idempotency.DeleteExpired(ctx(t), at, 2)
	require.NoError(t, err)
	require.Equal(t, 2, n, "got %d deleted, want the limit 2", n)
	n, err = fx.Idempotency.DeleteExpired(ctx(t), at, 100)
	require.NoError(t, err)
	require.Equal(t, 1, n, "got %d deleted, want the 1 left", n)
	for _, r := range []*domain.IdempotencyRecord{doneOld, doneEdge, lapsed} {
		_, err := fx.Idempotency.Get(ctx(t), r.Scope())
		requireKind(t, err, domain.ErrNotFound, "")
	}
	for _, r := range []*domain.IdempotencyRecord{fresh, running} {
		_, err := fx.Idempotency.Get(ctx(t), r.Scope())
		require.NoError(t, err, "key %q must be kept", r.Scope().Key)
	}

	_, err = fx.Idempotency.DeleteExpired(ctx(t), time.Time{}, 1)
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Idempotency.DeleteExpired(ctx(t), at, 0)
	requireKind(t, err, domain.ErrInvalid, "")
}

// testKeyConcurrentClaims: of 20 requests claiming one key at once,
// exactly one gets it.
func testKeyConcurrentClaims(t *testing.T, fx Fixture) {
	org := newOrg()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
	)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := fx.Idempotency.Create(ctx(t), claim(t, org, "shared", base))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won++
				return
			}
			if domain.KindOf(err) == domain.ErrExists {
				lost++
				return
			}
			t.Errorf("got %v, want nil or ErrExists", err)
		}()
	}
	wg.Wait()
	require.Equal(t, 1, won, "got %d winners, want 1", won)
	require.Equal(t, 19, lost)
}
