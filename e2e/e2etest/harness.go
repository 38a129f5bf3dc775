// Package e2etest starts the service as the composition root assembles it,
// behind a real HTTP server, for the end-to-end tests (e2e/) and the
// commands' tests (cmd/storagegw): one harness for both.
package e2etest

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

// API is the service assembled by the real wire graph (SQLite and local
// disk under a temp dir, migrations applied) behind a real HTTP server.
type API struct {
	T      testing.TB
	URL    string
	Cfg    *configs.Config
	Svc    *storagegw.Service
	Secret []byte
}

// New starts the service; env adds settings to STORAGEGW_DATA_DIR and
// STORAGEGW_PUBLIC_URL, which point at a temp dir and the test server.
func New(t testing.TB, env map[string]string) *API {
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
	return &API{T: t, URL: srv.URL, Cfg: cfg, Svc: svc, Secret: secret}
}

// Token mints a token for user "{role}-{org}" the way `storagegw token` does.
func (a *API) Token(org, role string) string {
	a.T.Helper()
	tok, err := auth.Mint(a.Secret, storagegw.AuthSettings(a.Cfg).MintParams(
		auth.MintParams{Sub: role + "-" + org, Org: org, Role: role}), time.Now())
	if err != nil {
		a.T.Fatal(err)
	}
	return tok
}

type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Code is the error code of an error response ("" if none).
func (r Response) Code() string {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Do sends a request; tok "" sends none. path may be a full URL.
func (a *API) Do(method, path, tok string, body io.Reader, header http.Header) Response {
	a.T.Helper()
	if !strings.HasPrefix(path, "http") {
		path = a.URL + path
	}
	req, err := http.NewRequest(method, path, body)
	if err != nil {
		a.T.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.T.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (a *API) Get(path, tok string) Response { return a.Do(http.MethodGet, path, tok, nil, nil) }

func (a *API) SendJSON(method, path, tok, body string) Response {
	return a.Do(method, path, tok, strings.NewReader(body), http.Header{"Content-Type": {"application/json"}})
}

// Upload posts a multipart form: fields in order, then the file.
func (a *API) Upload(path, tok string, fields [][2]string, filename string, content []byte) Response {
	a.T.Helper()
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
	return a.Do(http.MethodPost, path, tok, &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
}

// Record is the file record as the API returns it.
type Record struct {
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

// UploadDoc stores content as a workspace doc of org and returns its record.
func (a *API) UploadDoc(org, objectID, name string, content []byte) Record {
	a.T.Helper()
	r := a.Upload("/api/storage/upload", a.Token(org, "member"),
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", objectID}}, name, content)
	if r.Status != http.StatusCreated {
		a.T.Fatalf("upload %s: got %d %s", name, r.Status, r.Body)
	}
	var rec Record
	r.JSON(a.T, &rec)
	return rec
}

type AuditItem struct {
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

// AuditLog reads the audit trail of org as its admin, with query q.
func (a *API) AuditLog(org, q string) []AuditItem {
	a.T.Helper()
	r := a.Get("/api/storage/audit-logs?limit=500&"+q, a.Token(org, "admin"))
	if r.Status != http.StatusOK {
		a.T.Fatalf("audit-logs: got %d %s", r.Status, r.Body)
	}
	var page struct {
		Items      []AuditItem `json:"items"`
		NextCursor *string     `json:"next_cursor"`
	}
	r.JSON(a.T, &page)
	return page.Items
}

// Want checks a Response's status and, for errors, its code.
func Want(t *testing.T, what string, r Response, status int, code string) {
	t.Helper()
	if r.Status != status || (code != "" && r.Code() != code) {
		t.Errorf("%s: got %d %s, want %d %s", what, r.Status, r.Body, status, code)
	}
}

// PNG is a small valid PNG header followed by n filler bytes.
func PNG(n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for i := 0; i < n; i++ {
		b = append(b, byte(i*7))
	}
	return b
}

var PDF = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

// S3 is the S3-compatible server scripts/with-s3.sh starts
// (versitygw). Without one the test skips, or fails when CI=true.
type S3 struct {
	Endpoint, Access, SecretKey string
	Admin                       *minio.Client
}

func NewS3(t testing.TB) S3 {
	t.Helper()
	s := S3{Endpoint: os.Getenv("STORAGEGW_TEST_S3_ENDPOINT"),
		Access: os.Getenv("STORAGEGW_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("STORAGEGW_TEST_S3_SECRET_KEY")}
	if s.Endpoint == "" {
		const hint = "an S3 server is required in CI: run via scripts/with-s3.sh (make test does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(hint)
		}
		t.Skip("no S3 server: " + hint)
	}
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.Access, s.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	s.Admin = c
	return s
}

// Bucket creates a bucket for one test and removes it afterwards.
func (s S3) Bucket(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "sgw-e2e-" + hex.EncodeToString(b)
	if err := s.Admin.MakeBucket(context.Background(), name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for o := range s.Admin.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			_ = s.Admin.RemoveObject(ctx, name, o.Key, minio.RemoveObjectOptions{})
		}
		_ = s.Admin.RemoveBucket(ctx, name)
	})
	return name
}

// Keys lists every object key in bucket.
func (s S3) Keys(t *testing.T, bucket string) []string {
	t.Helper()
	var keys []string
	for o := range s.Admin.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list objects: %v", o.Err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}

// SpacesEnv configures the service on bucket at endpoint.
func (s S3) SpacesEnv(endpoint, bucket string, extra map[string]string) map[string]string {
	env := map[string]string{"SPACES_ENDPOINT": endpoint, "SPACES_BUCKET": bucket, "SPACES_ACCESS_KEY": s.Access,
		"SPACES_SECRET_KEY": s.SecretKey, "SPACES_REGION": "us-east-1", "SPACES_USE_SSL": "false", "SPACES_PATH_STYLE": "true"}
	for k, v := range extra {
		env[k] = v
	}
	return env
}
