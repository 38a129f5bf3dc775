package e2e

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"storagegw"
	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/domain"
)

// TestSpacesStoreUnreachable: the store goes away after start; an upload
// answers 503 store_unavailable, leaves no record, and is audited as failed.
func TestSpacesStoreUnreachable(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	proxy := newSwitchProxy(t, s3.Endpoint)
	a := newAPI(t, s3.SpacesEnv(proxy.addr(), bucket, map[string]string{
		"SPACES_REQUEST_TIMEOUT": "2s", "SPACES_OPERATION_TIMEOUT": "3s"}))
	proxy.set("down")

	member := a.Token("org-1", "member")
	r := a.Upload("/api/storage/upload", member,
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, "a.png", pngOf(1000))
	want(t, "upload with the store down", r, http.StatusServiceUnavailable, "store_unavailable")
	want(t, "no record", a.Get("/api/storage/metadata/org-1/workspace/doc/d1/a.png", member), http.StatusNotFound, "not_found")
	events := a.AuditLog("org-1", "action_type=UPLOAD")
	if len(events) != 1 || events[0].Success || events[0].ErrorMessage == nil {
		t.Errorf("audit: got %+v, want one failed UPLOAD", events)
	}
	if r := a.Get("/readyz", ""); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store down: got %d, want 503", r.Status)
	}
}

// TestSpacesSlowStoreDoesNotHoldOthers: a store that accepts connections
// and never answers fails the upload after the configured timeout, while
// requests that do not need the store are answered at once.
func TestSpacesSlowStoreDoesNotHoldOthers(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	proxy := newSwitchProxy(t, s3.Endpoint)
	a := newAPI(t, s3.SpacesEnv(proxy.addr(), bucket, map[string]string{
		"SPACES_REQUEST_TIMEOUT": "2s", "SPACES_OPERATION_TIMEOUT": "3s"}))
	viewer := a.Token("org-1", "viewer")
	proxy.set("hang")

	done := make(chan response, 1)
	start := time.Now()
	go func() {
		done <- a.Upload("/api/storage/upload", a.Token("org-1", "member"),
			[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, "a.png", pngOf(1000))
	}()
	time.Sleep(300 * time.Millisecond)
	for range 5 {
		t0 := time.Now()
		if r := a.Get("/api/storage/files", viewer); r.Status != http.StatusOK {
			t.Fatalf("list while the store hangs: got %d %s", r.Status, r.Body)
		}
		if d := time.Since(t0); d > time.Second {
			t.Errorf("a request that needs no store took %v while the store hangs", d)
		}
	}
	r := <-done
	want(t, "upload to a hanging store", r, http.StatusServiceUnavailable, "store_unavailable")
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("upload to a hanging store took %v; the timeouts are 2s/3s", d)
	}
}

// failingCommits is the real repository, except that committing content
// fails: the database breaks after the blob was stored.
type failingCommits struct{ application.FileRepository }

func (f failingCommits) Update(ctx context.Context, r *domain.FileRecord) (*domain.FileRecord, error) {
	if r.State() == domain.StateActive && r.PendingUploadID() == "" {
		return nil, domain.Errorf(domain.ErrUnavailable, "db_down", "The database is unavailable.")
	}
	return f.FileRepository.Update(ctx, r)
}

// TestSpacesBlobRemovedWhenRecordFails: the blob reached the real store,
// then the database write failed; the upload removes its blob.
func TestSpacesBlobRemovedWhenRecordFails(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	a := newAPI(t, s3.SpacesEnv(s3.Endpoint, bucket, nil))
	blobs, closeBlobs, err := storagegw.OpenBlobStore(context.Background(), a.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closeBlobs()
	db := a.Svc.DB
	app := application.New(blobs, failingCommits{postgres.NewFileRepo(db)}, postgres.NewAuditLog(db), nil, db, nil, nil,
		application.SystemClock{}, application.Options{})
	_, err = app.Upload.Handle(context.Background(), application.UploadCommand{
		Caller: application.Caller{Principal: domain.Principal{UserID: "u1", OrgID: "org-1", Role: domain.RoleMember}},
		System: "workspace", ObjectType: "doc", ObjectID: "d1", Filename: "a.png",
		Body: bytes.NewReader(pngOf(6 << 20)), DeclaredSize: -1,
	})
	if err == nil {
		t.Fatal("upload: got success, want the database failure")
	}
	if keys := s3.Keys(t, bucket); len(keys) != 0 {
		t.Errorf("bucket after the failed commit: got %v, want empty", keys)
	}
}
