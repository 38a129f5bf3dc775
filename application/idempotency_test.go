package application_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/application/mocks"
	"storagegw/domain"
)

// idemFixture is the Idempotency use case over mocks of its key store and
// audit trail, at a fixed instant.
type idemFixture struct {
	u     *application.Idempotency
	keys  *mocks.IdempotencyKeys
	audit *mocks.AuditLog
	now   time.Time
}

func newIdemFixture(t *testing.T, lease time.Duration) *idemFixture {
	f := &idemFixture{keys: mocks.NewIdempotencyKeys(t), audit: mocks.NewAuditLog(t),
		now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	clock := mocks.NewClock(t)
	clock.EXPECT().Now().Return(f.now).Maybe()
	f.u = application.NewIdempotency(f.keys, f.audit, memrepo.NewTransactor(), clock,
		application.Options{Idempotency: application.IdempotencyOptions{TTL: time.Hour, Lease: lease}})
	return f
}

var idemCaller = caller("org-1", domain.RoleMember)

func beginCmd(key string) application.BeginIdempotentCommand {
	return application.BeginIdempotentCommand{Caller: idemCaller, Action: domain.ActionUpload, Key: key, RequestID: "req-2"}
}

// stored is a record of key in the given state, first requested at at.
func stored(t *testing.T, key string, at time.Time, lease time.Duration, complete bool) *domain.IdempotencyRecord {
	t.Helper()
	r, err := domain.NewIdempotencyClaim(domain.IdempotencyScope{OrgID: "org-1", UserID: "user-member", Key: key},
		domain.ActionUpload, "req-1", "owner-1", at, domain.IdempotencyTiming{TTL: time.Hour, Lease: lease})
	if err != nil {
		t.Fatal(err)
	}
	if complete {
		err = r.Complete("owner-1", "fp-1", domain.IdempotentAnswer{Status: 201, Body: []byte(`{"file_path":"org-1/workspace/doc/d1/a.png"}`)},
			domain.IdempotencyOutcome{FilePath: "org-1/workspace/doc/d1/a.png"})
		if err != nil {
			t.Fatal(err)
		}
	}
	d := r.Data()
	d.Version = 1
	out, _ := domain.RehydrateIdempotencyRecord(d)
	return out
}

func exists() error { return domain.Errorf(domain.ErrExists, "already_exists", "exists") }

// TestIdempotencyFreshKey: a new key is claimed without an audit event
// (the request's own use case writes it), and Finish stores the answer.
func TestIdempotencyFreshKey(t *testing.T) {
	t.Parallel()
	f := newIdemFixture(t, time.Minute)
	f.keys.EXPECT().Create(mock.Anything, mock.Anything).RunAndReturn(
		func(_ context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) { return r, nil }).Once()
	start, err := f.u.Begin(context.Background(), beginCmd("k-1"))
	if err != nil || start.Claim == nil || start.Stored != nil {
		t.Fatalf("Begin: got %+v, %v; want a claim", start, err)
	}
	answer := domain.IdempotentAnswer{Status: 201, Body: []byte("{}")}
	f.keys.EXPECT().Update(mock.Anything, mock.MatchedBy(func(r *domain.IdempotencyRecord) bool {
		d := r.Data()
		return r.Completed() && d.Fingerprint == "fp-x" && d.Answer.Status == 201 && d.RequestID == "req-2" &&
			d.ExpiresAt.Equal(f.now.Add(time.Hour)) && d.Scope.OrgID == "org-1" && d.Scope.UserID == "user-member"
	})).RunAndReturn(func(_ context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) { return r, nil }).Once()
	if err := start.Claim.Finish(context.Background(), "fp-x", answer, domain.IdempotencyOutcome{}); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	// The audit mock has no expectation: an event would fail the test.
}

// TestIdempotencyInProgress: a key whose first request runs is refused
// with 409, and the refusal is the request's one audit event.
func TestIdempotencyInProgress(t *testing.T) {
	t.Parallel()
	f := newIdemFixture(t, time.Minute)
	f.keys.EXPECT().Create(mock.Anything, mock.Anything).Return(nil, exists()).Once()
	f.keys.EXPECT().Get(mock.Anything, mock.Anything).Return(stored(t, "k", f.now.Add(-time.Second), time.Minute, false), nil).Once()
	f.audit.EXPECT().Append(mock.Anything, mock.MatchedBy(func(e *domain.AuditEvent) bool {
		d := e.Data()
		return !d.Success && d.Action == domain.ActionUpload && d.ErrorMessage[:len(domain.CodeIdempotencyKeyInProgress)] == domain.CodeIdempotencyKeyInProgress
	})).Return(nil).Once()
	_, err := f.u.Begin(context.Background(), beginCmd("k"))
	wantKind(t, err, domain.ErrExists, domain.CodeIdempotencyKeyInProgress)
}

// TestIdempotencyReclaim: a key whose first request stopped (its lease
// lapsed) or that expired is claimed again by the next request.
func TestIdempotencyReclaim(t *testing.T) {
	t.Parallel()
	for name, old := range map[string]func(t *testing.T, now time.Time) *domain.IdempotencyRecord{
		"lapsed": func(t *testing.T, now time.Time) *domain.IdempotencyRecord {
			return stored(t, "k", now.Add(-time.Minute), time.Minute, false)
		},
		"expired": func(t *testing.T, now time.Time) *domain.IdempotencyRecord {
			return stored(t, "k", now.Add(-time.Hour), time.Minute, true)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newIdemFixture(t, time.Minute)
			f.keys.EXPECT().Create(mock.Anything, mock.Anything).Return(nil, exists()).Once()
			f.keys.EXPECT().Get(mock.Anything, mock.Anything).Return(old(t, f.now), nil).Once()
			f.keys.EXPECT().Update(mock.Anything, mock.MatchedBy(func(r *domain.IdempotencyRecord) bool {
				d := r.Data()
				return !r.Completed() && d.RequestID == "req-2" && d.Owner != "owner-1" && d.LeaseUntil.Equal(f.now.Add(time.Minute))
			})).RunAndReturn(func(_ context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) { return r, nil }).Once()
			start, err := f.u.Begin(context.Background(), beginCmd("k"))
			if err != nil || start.Claim == nil {
				t.Fatalf("Begin: got %+v, %v; want a claim", start, err)
			}
			f.keys.EXPECT().Delete(mock.Anything, mock.Anything).Return(nil).Once()
			if err := start.Claim.Release(context.Background()); err != nil {
				t.Fatalf("Release: %v", err)
			}
		})
	}
}

// TestIdempotencyReplay: the same request gets the first answer and one
// audit event saying it was a replay; another request 422, audited too.
func TestIdempotencyReplay(t *testing.T) {
	t.Parallel()
	f := newIdemFixture(t, time.Minute)
	rec := stored(t, "k", f.now.Add(-time.Minute), time.Minute, true)
	f.keys.EXPECT().Create(mock.Anything, mock.Anything).Return(nil, exists()).Once()
	f.keys.EXPECT().Get(mock.Anything, mock.Anything).Return(rec, nil).Once()
	start, err := f.u.Begin(context.Background(), beginCmd("k"))
	if err != nil || start.Stored == nil {
		t.Fatalf("Begin: got %+v, %v; want the stored answer", start, err)
	}
	f.audit.EXPECT().Append(mock.Anything, mock.MatchedBy(func(e *domain.AuditEvent) bool {
		d := e.Data()
		return d.Success && d.Action == domain.ActionUpload && d.FilePath == "org-1/workspace/doc/d1/a.png" &&
			d.Metadata["idempotent_replay"] == true && d.Metadata["original_request_id"] == "req-1" && d.Metadata["replayed_status"] == 201
	})).Return(nil).Once()
	answer, err := f.u.Replay(context.Background(), application.ReplayCommand{Caller: idemCaller, Action: domain.ActionUpload,
		Stored: start.Stored, Fingerprint: "fp-1"})
	if err != nil || answer.Status != 201 || string(answer.Body) != `{"file_path":"org-1/workspace/doc/d1/a.png"}` {
		t.Fatalf("Replay: got %+v, %v; want the stored 201", answer, err)
	}

	f.audit.EXPECT().Append(mock.Anything, mock.MatchedBy(func(e *domain.AuditEvent) bool {
		d := e.Data()
		return !d.Success && d.Metadata["idempotent_replay"] == false
	})).Return(nil).Once()
	_, err = f.u.Replay(context.Background(), application.ReplayCommand{Caller: idemCaller, Action: domain.ActionUpload,
		Stored: start.Stored, Fingerprint: "fp-other"})
	wantKind(t, err, domain.ErrInvalid, domain.CodeIdempotencyKeyReused)
}

// TestIdempotencyBadKey: a malformed key is refused (400) before the key
// store is asked, with the request's one audit event.
func TestIdempotencyBadKey(t *testing.T) {
	t.Parallel()
	f := newIdemFixture(t, time.Minute)
	f.audit.EXPECT().Append(mock.Anything, mock.Anything).Return(nil).Once()
	_, err := f.u.Begin(context.Background(), beginCmd("a key"))
	wantKind(t, err, domain.ErrInvalid, domain.CodeInvalidIdempotencyKey)
}

// TestIdempotencyLeaseRenewed: a running request renews its lease until it
// finishes, so a long upload keeps its key.
func TestIdempotencyLeaseRenewed(t *testing.T) {
	t.Parallel()
	f := newIdemFixture(t, 30*time.Millisecond)
	f.keys.EXPECT().Create(mock.Anything, mock.Anything).RunAndReturn(
		func(_ context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) { return r, nil }).Once()
	var renewals atomic.Int32
	f.keys.EXPECT().Update(mock.Anything, mock.MatchedBy(func(r *domain.IdempotencyRecord) bool { return !r.Completed() })).RunAndReturn(
		func(_ context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) {
			renewals.Add(1)
			return r, nil
		})
	start, err := f.u.Begin(context.Background(), beginCmd("k"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	f.keys.EXPECT().Delete(mock.Anything, mock.Anything).Return(nil).Once()
	if err := start.Claim.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := renewals.Load()
	if n < 2 {
		t.Fatalf("renewals in 100ms with a 30ms lease: got %d, want at least 2", n)
	}
	time.Sleep(40 * time.Millisecond)
	if renewals.Load() != n {
		t.Fatal("the lease is still renewed after Release")
	}
}

// TestIdempotencyExpire: the clean-up step removes expired keys page by
// page until a short page.
func TestIdempotencyExpire(t *testing.T) {
	t.Parallel()
	f := newIdemFixture(t, time.Minute)
	f.keys.EXPECT().DeleteExpired(mock.Anything, f.now, 100).Return(100, nil).Once()
	f.keys.EXPECT().DeleteExpired(mock.Anything, f.now, 100).Return(7, nil).Once()
	n, err := f.u.Expire(context.Background())
	if err != nil || n != 107 {
		t.Fatalf("Expire: got %d, %v; want 107", n, err)
	}
}

// TestIdempotencyAppliedNotReclaimed: a key whose first request committed
// its change (applied) but never stored its answer is not claimed again,
// whatever its lease: 409 in progress while the lease runs, then 409
// idempotency_key_answer_lost; no update, so nothing runs twice.
func TestIdempotencyAppliedNotReclaimed(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		age  time.Duration
		code string
	}{
		"lease running": {time.Second, domain.CodeIdempotencyKeyInProgress},
		"lease lapsed":  {2 * time.Minute, domain.CodeIdempotencyKeyAnswerLost},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newIdemFixture(t, time.Minute)
			rec := stored(t, "k", f.now.Add(-tc.age), time.Minute, false)
			if err := rec.Apply("owner-1"); err != nil {
				t.Fatal(err)
			}
			f.keys.EXPECT().Create(mock.Anything, mock.Anything).Return(nil, exists()).Once()
			f.keys.EXPECT().Get(mock.Anything, mock.Anything).Return(rec, nil).Once()
			f.audit.EXPECT().Append(mock.Anything, mock.MatchedBy(func(e *domain.AuditEvent) bool {
				return !e.Data().Success
			})).Return(nil).Once()
			_, err := f.u.Begin(context.Background(), beginCmd("k"))
			wantKind(t, err, domain.ErrExists, tc.code)
		})
	}
}
