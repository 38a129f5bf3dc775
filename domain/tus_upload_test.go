package domain_test

import (
	"testing"
	"time"

	"storagegw/domain"
)

// TestTusLockRenewal: the holder of an upload's lease extends it (never
// shortening it); anyone else, or the holder once another took the lease
// over, is upload_locked; Rebase takes the version and lease a renewal
// saved.
func TestTusLockRenewal(t *testing.T) {
	t.Parallel()
	u, err := domain.NewTusUpload(newSession(t), "", t0)
	checkErr(t, err, nil, "")
	checkErr(t, u.Lock("req-1", t0, 30*time.Second), nil, "")
	checkErr(t, u.ExtendLock("req-1", t0.Add(20*time.Second), 30*time.Second), nil, "")
	if got, want := u.Data().LockUntil, t0.Add(50*time.Second); !got.Equal(want) {
		t.Errorf("lease after a renewal: got %v, want %v", got, want)
	}
	checkErr(t, u.ExtendLock("req-1", t0, time.Second), nil, "")
	if got, want := u.Data().LockUntil, t0.Add(50*time.Second); !got.Equal(want) {
		t.Errorf("lease after a shorter renewal: got %v, want it kept at %v", got, want)
	}
	checkErr(t, u.ExtendLock("req-2", t0, time.Minute), domain.ErrExists, "upload_locked")
	checkErr(t, u.ExtendLock("", t0, time.Minute), domain.ErrExists, "upload_locked")

	d := u.Data()
	d.Version = 7
	stored, err := domain.RehydrateTusUpload(d)
	checkErr(t, err, nil, "")
	next, _ := domain.RehydrateTusUpload(u.Data())
	next.SegmentStored(10, t0)
	checkErr(t, next.Rebase(stored), nil, "")
	if next.Version() != 7 || next.Offset() != 10 || next.LockOwner() != "req-1" {
		t.Errorf("rebased: version %d offset %d owner %q, want 7, 10, req-1", next.Version(), next.Offset(), next.LockOwner())
	}
	other := sessionData()
	other.ID = "s2"
	s2, _ := domain.NewUploadSession(other, t0, time.Hour)
	u2, _ := domain.NewTusUpload(s2, "", t0)
	checkErr(t, next.Rebase(u2), domain.ErrInvalid, "invalid_tus_upload")
}

// TestIdempotencyApplied: a claim whose change committed is applied: it
// completes as a claim in progress does, but is never claimed again before
// it expires (in progress while its lease runs, then answer_lost).
func TestIdempotencyApplied(t *testing.T) {
	t.Parallel()
	timing := domain.IdempotencyTiming{TTL: time.Hour, Lease: 30 * time.Second}
	scope := domain.IdempotencyScope{OrgID: "acme", UserID: "u1", Key: "k"}
	r, err := domain.NewIdempotencyClaim(scope, domain.ActionUpload, "req-1", "owner-1", t0, timing)
	checkErr(t, err, nil, "")
	checkErr(t, r.Apply("owner-2"), domain.ErrExists, "idempotency_claim_lost")
	checkErr(t, r.Apply("owner-1"), nil, "")
	if !r.Applied() || r.Completed() || r.Lapsed(t0.Add(time.Minute)) {
		t.Fatalf("applied: got applied=%v completed=%v lapsed=%v", r.Applied(), r.Completed(), r.Lapsed(t0.Add(time.Minute)))
	}
	if _, err := domain.RehydrateIdempotencyRecord(r.Data()); err != nil {
		t.Fatalf("rehydrate an applied key: %v", err)
	}
	checkErr(t, r.Reclaim(domain.ActionUpload, "req-2", "owner-2", t0.Add(time.Second), timing), domain.ErrExists, domain.CodeIdempotencyKeyInProgress)
	checkErr(t, r.Reclaim(domain.ActionUpload, "req-2", "owner-2", t0.Add(time.Minute), timing), domain.ErrExists, domain.CodeIdempotencyKeyAnswerLost)
	checkErr(t, r.Complete("owner-1", "fp", domain.IdempotentAnswer{Status: 201}, domain.IdempotencyOutcome{}), nil, "")
	if !r.Completed() {
		t.Fatal("an applied key did not complete")
	}
	fresh, _ := domain.NewIdempotencyClaim(scope, domain.ActionUpload, "req-1", "owner-1", t0, timing)
	_ = fresh.Apply("owner-1")
	checkErr(t, fresh.Reclaim(domain.ActionUpload, "req-3", "owner-3", t0.Add(2*time.Hour), timing), nil, "")
}

// TestIdempotencyCompleteInChange: a change stores its answer with the
// key (in_progress → completed, only by the claim's owner, with a
// fingerprint and a status); a later change of the same request takes a
// newer answer, or (Apply) takes it back to applied; nothing else writes
// over an answered key.
func TestIdempotencyCompleteInChange(t *testing.T) {
	t.Parallel()
	timing := domain.IdempotencyTiming{TTL: time.Hour, Lease: 30 * time.Second}
	scope := domain.IdempotencyScope{OrgID: "acme", UserID: "u1", Key: "k"}
	r, _ := domain.NewIdempotencyClaim(scope, domain.ActionUpload, "req-1", "owner-1", t0, timing)
	first := domain.IdempotentAnswer{Status: 201, Body: []byte("a")}
	checkErr(t, r.CompleteInChange("owner-2", "fp", first, domain.IdempotencyOutcome{}), domain.ErrExists, "idempotency_claim_lost")
	checkErr(t, r.CompleteInChange("owner-1", "", first, domain.IdempotencyOutcome{}), domain.ErrInvalid, "invalid_idempotent_answer")
	checkErr(t, r.CompleteInChange("owner-1", "fp", first, domain.IdempotencyOutcome{}), nil, "")
	if !r.Completed() || !r.AnsweredBy("owner-1") || r.AnsweredBy("owner-2") || r.Match("fp") != nil {
		t.Fatalf("answered in the change: got %+v", r.Data())
	}
	checkErr(t, r.Renew("owner-1", t0, time.Minute), domain.ErrExists, "idempotency_claim_lost")
	checkErr(t, r.Complete("owner-1", "fp", domain.IdempotentAnswer{Status: 500}, domain.IdempotencyOutcome{}), domain.ErrExists, "idempotency_claim_lost")
	checkErr(t, r.CompleteInChange("owner-1", "fp", domain.IdempotentAnswer{Status: 201, Body: []byte("b")}, domain.IdempotencyOutcome{}), nil, "")
	if string(r.Answer().Body) != "b" {
		t.Fatalf("a later change's answer: got %q, want b", r.Answer().Body)
	}
	checkErr(t, r.Apply("owner-2"), domain.ErrExists, "idempotency_claim_lost")
	checkErr(t, r.Apply("owner-1"), nil, "")
	if !r.Applied() || r.Answer().Status != 0 {
		t.Fatalf("a later change without an answer: got %+v, want applied, no answer", r.Data())
	}
}
