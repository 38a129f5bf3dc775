package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"storagegw/adapters/auth"
	"storagegw/adapters/localfs"
	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// harness is the adapter over conformance-tested fakes, a real JWT
// verifier and a real local URL signer.
type harness struct {
	srv   *Server
	h     http.Handler
	blobs *blobstoretest.Memory
	files *memrepo.Files
	audit *memrepo.Audit
	logs  *observer.ObservedLogs
}

func newHarness(t *testing.T, configure ...func(*Options)) *harness {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	h := &harness{blobs: blobstoretest.NewMemory(), files: memrepo.NewFiles(), audit: memrepo.NewAudit(), logs: logs}
	signer, err := localfs.NewSigner("http://files.example", bytes.Repeat([]byte("k"), localfs.MinKeyBytes), nil)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(auth.Options{HS256Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	rules := domain.DefaultContentRules()
	rules[receiptKind] = domain.ContentRule{MaxBytes: 64 << 10, Allowed: []string{"*/*"}} // narrowed by the endpoint
	opts := Options{ContentRules: rules, Metrics: http.NotFoundHandler()}
	for _, c := range configure {
		c(&opts)
	}
	appOpts := application.Options{ContentRules: opts.ContentRules}
	app := application.New(h.blobs, h.files, h.audit, nil, memrepo.NewTransactor(), nil, signer, application.SystemClock{}, appOpts)
	app.EnableLinks(memrepo.NewLinks(), application.LinkOptions{})
	app.EnableLegalHolds(memrepo.NewLegalHolds())
	app.EnableVersions(memrepo.NewVersions(memrepo.NewFiles()))
	if h.srv, err = NewServer(app, verifier, zap.New(core), opts); err != nil {
		t.Fatal(err)
	}
	h.h = h.srv.Handler()
	return h
}

func token(t *testing.T, org, role string) string {
	t.Helper()
	tok, err := auth.Mint(testSecret, auth.MintParams{Sub: "user-" + role, Org: org, Role: role}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// do serves req with the bearer token tok ("" for none).
func (h *harness) do(req *http.Request, tok string) *httptest.ResponseRecorder {
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.1:1234"
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func (h *harness) doJSON(t *testing.T, method, path, body, tok string) *httptest.ResponseRecorder {
	t.Helper()
	return h.do(httptest.NewRequest(method, path, strings.NewReader(body)), tok)
}

// part is one multipart part: a text field, or a file when filename is set.
type part struct {
	name, filename string
	body           []byte
}

func field(name, value string) part   { return part{name: name, body: []byte(value)} }
func file(name string, b []byte) part { return part{name: fileField, filename: name, body: b} }

// form encodes parts in order and returns the body and its content type.
func form(t *testing.T, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var (
			pw  io.Writer
			err error
		)
		if p.filename != "" {
			pw, err = w.CreateFormFile(p.name, p.filename)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.body)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

func (h *harness) upload(t *testing.T, path, tok string, parts ...part) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := form(t, parts...)
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", ct)
	return h.do(req, tok)
}

// errorCode decodes an error response and checks its status.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder, status int) string {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	if rec.Code != status {
		t.Errorf("status: got %d (%s), want %d", rec.Code, rec.Body.String(), status)
	}
	if body.Error.Code == "" || body.Error.Message == "" {
		t.Errorf("error body: got %q, want a code and a message", rec.Body.String())
	}
	return body.Error.Code
}

func wantError(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var body errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != status || body.Error.Code != code {
		t.Errorf("%s: got %d %q (%s), want %d %q", what, rec.Code, body.Error.Code, rec.Body.String(), status, code)
	}
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}

// pngBytes is a tiny valid PNG header followed by filler.
func pngBytes(n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for len(b) < n {
		b = append(b, byte(len(b)))
	}
	return b
}

// uploadPNG stores a workspace doc for org as a member and returns its record.
func (h *harness) uploadPNG(t *testing.T, org, name string, n int) fileRecordJSON {
	t.Helper()
	rec := h.upload(t, "/api/storage/upload", token(t, org, "member"),
		field("system", "workspace"), field("object_type", "doc"), field("object_id", "d1"), file(name, pngBytes(n)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload %s: got %d %s", name, rec.Code, rec.Body.String())
	}
	return decode[fileRecordJSON](t, rec)
}

func (h *harness) lastEvent(t *testing.T) domain.AuditEventData {
	t.Helper()
	evs := h.audit.Events()
	if len(evs) == 0 {
		t.Fatal("no audit event")
	}
	return evs[len(evs)-1].Data()
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

// receiptKind is where receipt-upload stores.
var receiptKind = domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}
