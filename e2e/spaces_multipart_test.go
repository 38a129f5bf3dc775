package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storagegw"
	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/domain"
)

// incompleteUploads lists the multipart uploads in progress in bucket.
func (s s3Server) incompleteUploads(t *testing.T, bucket string) []string {
	t.Helper()
	var ids []string
	for u := range s.Admin.ListIncompleteUploads(context.Background(), bucket, "", true) {
		if u.Err != nil {
			t.Fatalf("list incomplete uploads: %v", u.Err)
		}
		ids = append(ids, u.Key+" "+u.UploadID)
	}
	return ids
}

// TestSpacesMultipartEndToEnd runs a multipart upload through the Spaces
// injector against a real S3 server: the part URLs are presigned by the
// store and point at it, the parts go there without the gateway, and the
// completed file reads back whole. An aborted upload leaves nothing.
func TestSpacesMultipartEndToEnd(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	a := newAPI(t, s3.SpacesEnv(s3.Endpoint, bucket, mpEnv))
	member := a.Token("org-1", "member")
	data := pngOf(11 << 20)
	s := a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "big.png"`, len(data))
	urls := a.partURLs(member, s)
	if len(urls) != 3 {
		t.Fatalf("part URLs: got %d, want 3", len(urls))
	}
	for _, p := range urls {
		u, err := url.Parse(p.URL)
		if err != nil || u.Host != s3.Endpoint || u.Query().Get("uploadId") == "" || u.Query().Get("X-Amz-Signature") == "" ||
			strings.HasPrefix(p.URL, a.URL) {
			t.Fatalf("part URL %q: want a URL presigned by the store %s, not the gateway", p.URL, s3.Endpoint)
		}
	}
	r := a.complete(member, s.UploadID, a.putParts(urls, s.PartSize, data))
	if r.Status != http.StatusCreated {
		t.Fatalf("complete: got %d %s", r.Status, r.Body)
	}
	var rec record
	r.JSON(t, &rec)
	if keys := s3.Keys(t, bucket); len(keys) != 1 || !strings.HasPrefix(keys[0], rec.FilePath+"/") {
		t.Errorf("bucket keys: got %v, want one under %s/", keys, rec.FilePath)
	}
	var signed struct{ URL string }
	a.SendJSON(http.MethodPost, "/api/storage/signed-url", member, `{"file_path": "`+rec.FilePath+`"}`).JSON(t, &signed)
	if got := a.Get(signed.URL, ""); got.Status != http.StatusOK || !bytes.Equal(got.Body, data) || rec.SizeBytes != int64(len(data)) {
		t.Errorf("presigned GET: got %d and %d bytes, want the %d uploaded", got.Status, len(got.Body), len(data))
	}

	aborted := a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "gone.png"`, 100)
	a.putParts(a.partURLs(member, aborted), aborted.PartSize, pngOf(100)[:100])
	want(t, "abort", a.SendJSON(http.MethodPost, "/api/storage/multipart/abort", member, `{"upload_id": "`+aborted.UploadID+`"}`), http.StatusOK, "")
	if ups := s3.incompleteUploads(t, bucket); len(ups) != 0 {
		t.Errorf("incomplete uploads after complete and abort: got %v, want none", ups)
	}
	want(t, "no local part route", a.Do(http.MethodPut, "/api/storage/multipart/part?key=x", "", strings.NewReader("x"), nil),
		http.StatusNotFound, "route_not_found")
}

// TestSpacesMultipartStoreFaults: with the store down, initiate answers
// 503 store_unavailable, reserves nothing and is audited as failed; with
// the store hanging it fails within the timeouts.
func TestSpacesMultipartStoreFaults(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	proxy := newSwitchProxy(t, s3.Endpoint)
	a := newAPI(t, s3.SpacesEnv(proxy.addr(), bucket, map[string]string{
		"SPACES_REQUEST_TIMEOUT": "2s", "SPACES_OPERATION_TIMEOUT": "3s"}))
	member := a.Token("org-1", "member")
	body := `{"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "a.png", "size": 100}`
	for _, mode := range []string{"down", "hang"} {
		proxy.set(mode)
		start := time.Now()
		want(t, "initiate with the store "+mode, a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", member, body),
			http.StatusServiceUnavailable, "store_unavailable")
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("initiate with the store %s took %v; the timeouts are 2s/3s", mode, d)
		}
	}
	proxy.set("up")
	want(t, "no record", a.Get("/api/storage/metadata/org-1/workspace/doc/d1/a.png", member), http.StatusNotFound, "not_found")
	events := a.AuditLog("org-1", "action_type=MULTIPART_INITIATE")
	if len(events) != 2 || events[0].Success || events[1].Success {
		t.Errorf("audit: got %+v, want two failed MULTIPART_INITIATE", events)
	}
	a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "a.png"`, 100)
}

// TestSpacesMultipartRecordFails: the parts were assembled in the real
// store, then the database write of the record failed; the assembled
// object is removed and no incomplete upload is left.
func TestSpacesMultipartRecordFails(t *testing.T) {
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
	app := application.New(blobs, failingCommits{postgres.NewFileRepo(db)}, postgres.NewAuditLog(db), postgres.NewSessions(db),
		db, nil, nil, application.SystemClock{}, application.Options{})
	c := application.Caller{Principal: domain.Principal{UserID: "u1", OrgID: "org-1", Role: domain.RoleMember}}
	data := pngOf(1000)
	ctx := context.Background()
	s, err := app.InitiateMultipart.Handle(ctx, application.InitiateMultipartCommand{Caller: c,
		System: "workspace", ObjectType: "doc", ObjectID: "d1", Filename: "a.png", Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	urls, err := app.MultipartPartURLs.Handle(ctx, application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	sent := a.putParts([]partURL{{PartNumber: 1, URL: urls[0].URL, Size: urls[0].Size}}, s.Plan().Size, data)
	_, err = app.CompleteMultipart.Handle(ctx, application.CompleteMultipartCommand{Caller: c, UploadID: s.ID(),
		Parts: []domain.PartRef{{Number: 1, ETag: sent[0].ETag}}})
	if err == nil {
		t.Fatal("complete: got success, want the database failure")
	}
	if keys := s3.Keys(t, bucket); len(keys) != 0 {
		t.Errorf("bucket after the failed commit: got %v, want empty", keys)
	}
	if ups := s3.incompleteUploads(t, bucket); len(ups) != 0 {
		t.Errorf("incomplete uploads after the failed commit: got %v, want none", ups)
	}
}
