package application_test

import (
	"bytes"
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

// TestIdempotentAnswersOfEveryChange: the renderer of a claimed request
// gets, in its change's transaction, the value the request answers with,
// and the key is completed by that change (before Finish): a multipart
// initiate's session, a TUS creation's upload, and, for a creation with
// a body, the upload after its body with the file when the body
// completed it (the request's last change, not the creation's).
func TestIdempotentAnswersOfEveryChange(t *testing.T) {
	t.Parallel()
	member := caller("org-1", domain.RoleMember)
	data := pngBytes(int(domain.MinPartBytes) + 10)
	for _, tc := range []struct {
		name  string
		run   func(ctx context.Context, f *tusFixture) (any, error)
		check func(t *testing.T, rendered, returned any)
	}{
		{"multipart initiate", func(ctx context.Context, f *tusFixture) (any, error) {
			return f.app.InitiateMultipart.Handle(ctx, application.InitiateMultipartCommand{Caller: member, System: "workspace",
				ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Size: 10})
		}, func(t *testing.T, rendered, returned any) {
			s, ok := rendered.(*domain.UploadSession)
			if !ok || s.ID() != returned.(*domain.UploadSession).ID() {
				t.Fatalf("rendered %#v, want the created session", rendered)
			}
		}},
		{"TUS creation", func(ctx context.Context, f *tusFixture) (any, error) {
			return f.app.TusCreate.Handle(ctx, application.TusCreateCommand{Caller: member, System: "workspace",
				ObjectType: "doc", ObjectID: "doc-1", Filename: "a.png", Length: 100})
		}, func(t *testing.T, rendered, returned any) {
			u, ok := rendered.(*domain.TusUpload)
			if !ok || u.ID() != returned.(application.TusPatchResult).Upload.ID() || u.Offset() != 0 {
				t.Fatalf("rendered %#v, want the created upload", rendered)
			}
		}},
		{"TUS creation with the first bytes", func(ctx context.Context, f *tusFixture) (any, error) {
			return f.app.TusCreate.Handle(ctx, application.TusCreateCommand{Caller: member, System: "workspace",
				ObjectType: "doc", ObjectID: "doc-1", Filename: "a.png", Length: int64(len(data)),
				Body: bytes.NewReader(data[:1000]), ContentLength: 1000})
		}, func(t *testing.T, rendered, returned any) {
			r, ok := rendered.(application.TusPatchResult)
			if !ok || r.Upload.ID() != returned.(application.TusPatchResult).Upload.ID() || r.Upload.Offset() != 1000 || r.Record != nil {
				t.Fatalf("rendered %#v, want the upload at offset 1000 and no file", rendered)
			}
		}},
		{"TUS creation with the whole file", func(ctx context.Context, f *tusFixture) (any, error) {
			return f.app.TusCreate.Handle(ctx, application.TusCreateCommand{Caller: member, System: "workspace",
				ObjectType: "doc", ObjectID: "doc-1", Filename: "a.png", Length: int64(len(data)),
				Body: bytes.NewReader(data), ContentLength: -1})
		}, func(t *testing.T, rendered, returned any) {
			r, ok := rendered.(application.TusPatchResult)
			ret := returned.(application.TusPatchResult)
			if !ok || r.Upload.ID() != ret.Upload.ID() || r.Upload.Offset() != int64(len(data)) || r.Record == nil ||
				r.Record.Path() != ret.Record.Path() {
				t.Fatalf("rendered %#v, want the whole upload and its file", rendered)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newTusFixture(t)
			keys := memrepo.NewIdempotencyKeys()
			idem := application.NewIdempotency(keys, f.audit, memrepo.NewTransactor(), f.clock, application.Options{})
			start, err := idem.Begin(t.Context(), application.BeginIdempotentCommand{Caller: member,
				Action: domain.ActionUpload, Key: "k", RequestID: "req-k"})
			if err != nil || start.Claim == nil {
				t.Fatalf("Begin: %+v, %v", start, err)
			}
			var rendered any
			calls := 0
			start.Claim.RenderWith(func(result any) (application.IdempotentReply, bool) {
				rendered, calls = result, calls+1
				return application.IdempotentReply{Fingerprint: "fp", Answer: domain.IdempotentAnswer{Status: 201}}, true
			})
			returned, err := tc.run(application.WithIdempotencyClaim(t.Context(), start.Claim), f)
			if err != nil {
				t.Fatal(err)
			}
			if calls != 1 {
				t.Fatalf("the renderer ran %d times, want once (the request's one change under the key)", calls)
			}
			tc.check(t, rendered, returned)
			stored, err := keys.Get(t.Context(), domain.IdempotencyScope{OrgID: "org-1", UserID: member.Principal.UserID, Key: "k"})
			if err != nil || !stored.Completed() || stored.Data().Fingerprint != "fp" {
				t.Fatalf("key after the change, before Finish: %+v, %v; want it completed", stored, err)
			}
			start.Claim.Finish(t.Context(), "fp", domain.IdempotentAnswer{Status: 201}, domain.IdempotencyOutcome{})
		})
	}
}
