package spaces

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
)

// The S3 server the tests run against; scripts/with-s3.sh starts one and
// sets these.
const (
	envEndpoint  = "STORAGEGW_TEST_S3_ENDPOINT" // host:port, plain HTTP
	envAccessKey = "STORAGEGW_TEST_S3_ACCESS_KEY"
	envSecretKey = "STORAGEGW_TEST_S3_SECRET_KEY"
)

// testServer returns the options of the test S3 server, without a
// bucket. Without one it skips the test, or fails it when CI=true.
func testServer(t *testing.T) Options {
	t.Helper()
	o := Options{Endpoint: os.Getenv(envEndpoint), AccessKey: os.Getenv(envAccessKey),
		SecretKey: os.Getenv(envSecretKey), Insecure: true, PathStyle: true,
		PartSize: MinPartSize, RequestTimeout: 10 * time.Second, OperationTimeout: 20 * time.Second}
	if o.Endpoint == "" || o.AccessKey == "" || o.SecretKey == "" {
		const hint = "an S3 server is required in CI: run via scripts/with-s3.sh"
		if os.Getenv("CI") == "true" {
			t.Fatal(hint)
		}
		t.Skip("no S3 server (" + envEndpoint + " unset): " + hint)
	}
	return o
}

// newBucket creates a bucket of its own for one test and returns the
// options of a Store on it; the bucket is emptied and removed after.
func newBucket(t *testing.T) Options {
	t.Helper()
	o := testServer(t)
	o.Bucket = "sgw-" + randomHex(8)
	admin := adminClient(t, o)
	if err := admin.MakeBucket(t.Context(), o.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("MakeBucket(%q): %v", o.Bucket, err)
	}
	t.Cleanup(func() { removeBucket(admin, o.Bucket) })
	return o
}

// newTestStore returns a Store on a bucket of its own.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := New(newBucket(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// adminClient is a plain minio-go client on the test server, for setting
// up and checking behind the Store's back.
func adminClient(t *testing.T, o Options) *minio.Client {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s.client
}

// removeBucket empties and removes bucket, best effort.
func removeBucket(c *minio.Client, bucket string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for u := range c.ListIncompleteUploads(ctx, bucket, "", true) {
		if u.Err == nil {
			_ = c.RemoveIncompleteUpload(ctx, bucket, u.Key)
		}
	}
	objects := make(chan minio.ObjectInfo)
	go func() {
		defer close(objects)
		for obj := range c.ListObjectsIter(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err == nil {
				objects <- obj
			}
		}
	}()
	for range c.RemoveObjects(ctx, bucket, objects, minio.RemoveObjectsOptions{}) {
	}
	_ = c.RemoveBucket(ctx, bucket)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mustPut stores data under key.
func mustPut(t *testing.T, s *Store, key, data string) {
	t.Helper()
	if _, err := s.Put(t.Context(), key, strings.NewReader(data), "text/plain"); err != nil {
		t.Fatalf("Put(%q): got error %v, want nil", key, err)
	}
}

// wantBlob checks that key holds data.
func wantBlob(t *testing.T, s *Store, key, data string) {
	t.Helper()
	rc, _, err := s.Open(t.Context(), key, application.Whole)
	if err != nil {
		t.Fatalf("Open(%q): got error %v, want nil", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil || string(b) != data {
		t.Errorf("content of %q: got %q, %v, want %q", key, b, err, data)
	}
}
