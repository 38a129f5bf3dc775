package application_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// answerFailingKeys refuses, while armed, every write of a completed key:
// the write of an answer.
type answerFailingKeys struct {
	*memrepo.IdempotencyKeys
	fail atomic.Bool
}

func (k *answerFailingKeys) Update(ctx context.Context, r *domain.IdempotencyRecord) (*domain.IdempotencyRecord, error) {
	if k.fail.Load() && r.Completed() {
		return nil, domain.Wrap(domain.ErrUnavailable, "db_unavailable", "The database is unavailable.", errors.New("injected"))
	}
	return k.IdempotencyKeys.Update(ctx, r)
}

// TestIdempotentAnswerCommitsWithItsChange: a claimed upload whose
// renderer builds its answer stores that answer with the key in the
// change's transaction. While the answer cannot be written the change
// fails and leaves records, blobs and events as they were (as a change
// whose audit event cannot be written does); once it can, the key is
// completed by the change itself, with the answer built from the record
// the upload committed and returns, and Finish has nothing left to store.
func TestIdempotentAnswerCommitsWithItsChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	keys := &answerFailingKeys{IdempotencyKeys: memrepo.NewIdempotencyKeys()}
	idem := application.NewIdempotency(keys, f.audit, memrepo.NewTransactor(), f.clock, application.Options{})
	member := caller("org-1", domain.RoleMember)
	var rendered any
	claimed := func(key string) (context.Context, *application.IdempotencyClaim) {
		start, err := idem.Begin(context.Background(), application.BeginIdempotentCommand{Caller: member,
			Action: domain.ActionUpload, Key: key, RequestID: "req-" + key})
		if err != nil || start.Claim == nil {
			t.Fatalf("Begin %s: %+v, %v", key, start, err)
		}
		start.Claim.RenderWith(func(result any) (application.IdempotentReply, bool) {
			rendered = result
			return application.IdempotentReply{Fingerprint: "fp-" + key,
				Answer: domain.IdempotentAnswer{Status: 201, Body: []byte(`{"rendered":true}`)}}, true
		})
		return application.WithIdempotencyClaim(context.Background(), start.Claim), start.Claim
	}
	scope := func(key string) domain.IdempotencyScope {
		return domain.IdempotencyScope{OrgID: "org-1", UserID: member.Principal.UserID, Key: key}
	}

	before := f.snapshot(t, "org-1")
	keys.fail.Store(true)
	ctx, claim := claimed("k-1")
	_, err := f.app.Upload.Handle(ctx, receipt(member, "r.png", pngBytes(100)))
	wantKind(t, err, domain.ErrUnavailable, "db_unavailable")
	claim.Release(context.Background())
	if after := f.snapshot(t, "org-1"); !reflect.DeepEqual(after.records, before.records) || !reflect.DeepEqual(after.blobs, before.blobs) {
		t.Fatalf("state after the change whose answer could not be written:\n got %+v\nwant %+v", after, before)
	}
	if _, err := keys.Get(context.Background(), scope("k-1")); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("key of the failed change: got %v, want it let go (a retry runs the change)", err)
	}

	keys.fail.Store(false)
	ctx, claim = claimed("k-2")
	rec, err := f.app.Upload.Handle(ctx, receipt(member, "r.png", pngBytes(100)))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := keys.Get(context.Background(), scope("k-2"))
	if err != nil || !stored.Completed() || string(stored.Answer().Body) != `{"rendered":true}` || stored.Data().Fingerprint != "fp-k-2" {
		t.Fatalf("key after the change, before Finish: got %+v, %v; want it completed with the rendered answer", stored, err)
	}
	if got, ok := rendered.(*domain.FileRecord); !ok || !reflect.DeepEqual(got.Data(), rec.Data()) {
		t.Fatalf("the renderer got %#v, want the committed record %+v", rendered, rec.Data())
	}
	if err := claim.Finish(context.Background(), "fp-other", domain.IdempotentAnswer{Status: 500}, domain.IdempotencyOutcome{}); err != nil {
		t.Fatalf("Finish after the answer was stored with the change: %v", err)
	}
	if again, _ := keys.Get(context.Background(), scope("k-2")); string(again.Answer().Body) != `{"rendered":true}` {
		t.Fatalf("Finish replaced the answer stored with the change: %+v", again.Data())
	}
}
