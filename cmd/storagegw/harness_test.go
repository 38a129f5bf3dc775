package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"go.uber.org/zap"

	"storagegw"
	"storagegw/adapters/auth"
	"storagegw/configs"
)

// The harness below is the one of the end-to-end tests (e2e/harness_test.go
// and e2e/spaces_test.go), for the commands' tests to seed an instance.

// api is the service assembled by the real wire graph (SQLite and local
// disk under a temp dir, migrations applied) behind a real HTTP server.
type api struct {
	t      *testing.T
	url    string
	cfg    *configs.Config
	svc    *storagegw.Service
	secret []byte
}

// newAPI starts the service; env adds settings to STORAGEGW_DATA_DIR and
// STORAGEGW_PUBLIC_URL, which point at a temp dir and the test server.
func newAPI(t *testing.T, env map[string]string) *api {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"STORAGEGW_DATA_DIR": t.TempDir(), "STORAGEGW_PUBLIC_URL": "http://" + l.Addr().String()}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := configs.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc, cleanup, err := storagegw.NewService(ctx, cfg, zap.NewNop(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	if err := svc.DB.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(svc.HTTP.Handler())
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	secret, err := auth.SigningSecret(storagegw.AuthSettings(cfg))
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, url: srv.URL, cfg: cfg, svc: svc, secret: secret}
}

// token mints a token for user "{role}-{org}" the way `storagegw token` does.
func (a *api) token(org, role string) string {
	a.t.Helper()
	tok, err := auth.Mint(a.secret, storagegw.AuthSettings(a.cfg).MintParams(
		auth.MintParams{Sub: role + "-" + org, Org: org, Role: role}), time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// code is the error code of an error response ("" if none).
func (r response) code() string {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// do sends a request; tok "" sends none. path may be a full URL.
func (a *api) do(method, path, tok string, body io.Reader, header http.Header) response {
	a.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = a.url + path
	}
	req, err := http.NewRequest(method, path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (a *api) get(path, tok string) response { return a.do(http.MethodGet, path, tok, nil, nil) }

func (a *api) sendJSON(method, path, tok, body string) response {
	return a.do(method, path, tok, strings.NewReader(body), http.Header{"Content-Type": {"application/json"}})
}

// upload posts a multipart form: fields in order, then the file.
func (a *api) upload(path, tok string, fields [][2]string, filename string, content []byte) response {
	a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write(content)
	}
	w.Close()
	return a.do(http.MethodPost, path, tok, &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
}

// record is the file record as the API returns it.
type record struct {
	FilePath         string  `json:"file_path"`
	OrgID            string  `json:"org_id"`
	System           string  `json:"system"`
	ObjectType       string  `json:"object_type"`
	ObjectID         string  `json:"object_id"`
	Filename         string  `json:"filename"`
	OriginalFilename string  `json:"original_filename"`
	ContentType      string  `json:"content_type"`
	SizeBytes        int64   `json:"size_bytes"`
	SHA256           string  `json:"sha256"`
	UploadedBy       string  `json:"uploaded_by"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
	Deleted          bool    `json:"deleted"`
	DeletedAt        *string `json:"deleted_at"`
	DeletedBy        *string `json:"deleted_by"`
}

// uploadDoc stores content as a workspace doc of org and returns its record.
func (a *api) uploadDoc(org, objectID, name string, content []byte) record {
	a.t.Helper()
	r := a.upload("/api/storage/upload", a.token(org, "member"),
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", objectID}}, name, content)
	if r.status != http.StatusCreated {
		a.t.Fatalf("upload %s: got %d %s", name, r.status, r.body)
	}
	var rec record
	r.json(a.t, &rec)
	return rec
}

type auditItem struct {
	ID                string         `json:"id"`
	Timestamp         string         `json:"timestamp"`
	UserID            string         `json:"user_id"`
	UserRole          string         `json:"user_role"`
	OrgID             string         `json:"org_id"`
	IPAddress         string         `json:"ip_address"`
	UserAgent         string         `json:"user_agent"`
	ActionType        string         `json:"action_type"`
	FilePath          string         `json:"file_path"`
	RelatedObjectType string         `json:"related_object_type"`
	RelatedObjectID   string         `json:"related_object_id"`
	Metadata          map[string]any `json:"metadata"`
	Success           bool           `json:"success"`
	ErrorMessage      *string        `json:"error_message"`
}

// auditLog reads the audit trail of org as its admin, with query q.
func (a *api) auditLog(org, q string) []auditItem {
	a.t.Helper()
	r := a.get("/api/storage/audit-logs?limit=500&"+q, a.token(org, "admin"))
	if r.status != http.StatusOK {
		a.t.Fatalf("audit-logs: got %d %s", r.status, r.body)
	}
	var page struct {
		Items      []auditItem `json:"items"`
		NextCursor *string     `json:"next_cursor"`
	}
	r.json(a.t, &page)
	return page.Items
}

// want checks a response's status and, for errors, its code.
func want(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	if r.status != status || (code != "" && r.code() != code) {
		t.Errorf("%s: got %d %s, want %d %s", what, r.status, r.body, status, code)
	}
}

// pngOf is a small valid PNG header followed by n filler bytes.
func pngOf(n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for i := 0; i < n; i++ {
		b = append(b, byte(i*7))
	}
	return b
}

var pdfBytes = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

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
