package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Server is the S3-compatible server scripts/with-s3.sh starts
// (versitygw). Without one the test skips, or fails when CI=true.
type s3Server struct {
	endpoint, access, secret string
	admin                    *minio.Client
}

func testS3(t *testing.T) s3Server {
	t.Helper()
	s := s3Server{endpoint: os.Getenv("STORAGEGW_TEST_S3_ENDPOINT"),
		access: os.Getenv("STORAGEGW_TEST_S3_ACCESS_KEY"), secret: os.Getenv("STORAGEGW_TEST_S3_SECRET_KEY")}
	if s.endpoint == "" {
		const hint = "an S3 server is required in CI: run via scripts/with-s3.sh (make test does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(hint)
		}
		t.Skip("no S3 server: " + hint)
	}
	c, err := minio.New(s.endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.access, s.secret, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	s.admin = c
	return s
}

// bucket creates a bucket for one test and removes it afterwards.
func (s s3Server) bucket(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "sgw-e2e-" + hex.EncodeToString(b)
	if err := s.admin.MakeBucket(context.Background(), name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for o := range s.admin.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			_ = s.admin.RemoveObject(ctx, name, o.Key, minio.RemoveObjectOptions{})
		}
		_ = s.admin.RemoveBucket(ctx, name)
	})
	return name
}

// keys lists every object key in bucket.
func (s s3Server) keys(t *testing.T, bucket string) []string {
	t.Helper()
	var keys []string
	for o := range s.admin.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list objects: %v", o.Err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}

// spacesEnv configures the service on bucket at endpoint.
func (s s3Server) spacesEnv(endpoint, bucket string, extra map[string]string) map[string]string {
	env := map[string]string{"SPACES_ENDPOINT": endpoint, "SPACES_BUCKET": bucket, "SPACES_ACCESS_KEY": s.access,
		"SPACES_SECRET_KEY": s.secret, "SPACES_REGION": "us-east-1", "SPACES_USE_SSL": "false", "SPACES_PATH_STYLE": "true"}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// TestSpacesEndToEnd runs the service through the Spaces injector against a
// real S3 server: blobs land in the bucket, signed URLs are presigned by
// the store and point at it, and the local download route is absent.
func TestSpacesEndToEnd(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.bucket(t)
	a := newAPI(t, s3.spacesEnv(s3.endpoint, bucket, nil))
	admin := a.token("org-1", "admin")

	body := pngOf(3 << 20)
	rec := a.uploadDoc("org-1", "d1", "big.png", body)
	if keys := s3.keys(t, bucket); len(keys) != 1 || !strings.HasPrefix(keys[0], rec.FilePath+"/") {
		t.Fatalf("bucket keys: got %v, want one under %s/", keys, rec.FilePath)
	}

	r := a.sendJSON(http.MethodPost, "/api/storage/signed-url", admin,
		`{"file_path":"`+rec.FilePath+`","disposition":"attachment"}`)
	var signed struct{ URL string }
	r.json(t, &signed)
	u, err := url.Parse(signed.URL)
	if err != nil || u.Host != s3.endpoint || u.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("signed URL %q: want a presigned URL on the store %s", signed.URL, s3.endpoint)
	}
	got := a.get(signed.URL, "")
	if got.status != http.StatusOK || string(got.body) != string(body) {
		t.Fatalf("presigned GET: got %d and %d bytes, want 200 and the %d uploaded bytes", got.status, len(got.body), len(body))
	}
	if cd := got.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition: got %q, want attachment", cd)
	}
	want(t, "no local download route", a.get("/api/storage/blob?key=x", ""), http.StatusNotFound, "route_not_found")
	if r := a.get("/readyz", ""); r.status != http.StatusOK {
		t.Errorf("readyz: got %d %s", r.status, r.body)
	}

	want(t, "hard delete", a.sendJSON(http.MethodDelete, "/api/storage/delete", admin,
		`{"file_path":"`+rec.FilePath+`","hard":true}`), http.StatusOK, "")
	if keys := s3.keys(t, bucket); len(keys) != 0 {
		t.Errorf("bucket after hard delete: got %v, want empty", keys)
	}
}

// switchProxy forwards TCP connections to target until cut, after which it
// refuses them (down) or accepts and never answers (hang).
type switchProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	mode   string // "up", "down", "hang"
	conns  []net.Conn
}

func newSwitchProxy(t *testing.T, target string) *switchProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &switchProxy{l: l, target: target, mode: "up"}
	go p.serve()
	t.Cleanup(func() { p.set("down"); l.Close() })
	return p
}

func (p *switchProxy) addr() string { return p.l.Addr().String() }

func (p *switchProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *switchProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		switch mode {
		case "down":
			c.Close()
		case "hang":
			go func() { _, _ = io.Copy(io.Discard, c) }()
		default:
			go p.forward(c)
		}
	}
}

func (p *switchProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}
