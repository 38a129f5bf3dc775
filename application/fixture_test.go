package application_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// fixture wires the use cases over conformance-tested fakes.
type fixture struct {
	app    *application.Application
	blobs  *blobstoretest.Memory
	files  *memrepo.Files
	audit  *memrepo.Audit
	clock  *fakeClock
	signer *recordingSigner
	// Fault injectors wrapped around the fakes, disarmed until a test arms them.
	faultyFiles *faultyFiles
	faultyBlobs *faultyBlobs
	faultyAudit *faultyAudit

	mu         sync.Mutex
	background []string // ops reported through OnBackgroundError
}

func newFixture(t *testing.T, options ...func(*application.Options)) *fixture {
	t.Helper()
	f := &fixture{
		blobs: blobstoretest.NewMemory(), files: memrepo.NewFiles(), audit: memrepo.NewAudit(),
		clock: &fakeClock{now: time.Date(2026, 1, 26, 15, 30, 45, 0, time.UTC)}, signer: &recordingSigner{},
	}
	f.faultyFiles = &faultyFiles{FileRepository: f.files}
	f.faultyBlobs = &faultyBlobs{BlobStore: f.blobs}
	f.faultyAudit = &faultyAudit{AuditLog: f.audit}
	var opts application.Options
	opts.OnBackgroundError = func(_ context.Context, op string, _ error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.background = append(f.background, op)
	}
	for _, o := range options {
		o(&opts)
	}
	f.app = application.New(f.faultyBlobs, f.faultyFiles, f.faultyAudit, nil, memrepo.NewTransactor(), nil, f.signer, f.clock, opts)
	return f
}

func (f *fixture) backgroundOps() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.background...)
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recordingSigner is a URLSigner that returns a fake URL and remembers requests.
type recordingSigner struct {
	mu   sync.Mutex
	reqs []application.SignRequest
	err  error
}

func (s *recordingSigner) SignURL(_ context.Context, r application.SignRequest) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	s.reqs = append(s.reqs, r)
	return "https://signed.example/" + r.Key, nil
}

func caller(org string, role domain.Role) application.Caller {
	return application.Caller{
		Principal: domain.Principal{UserID: "user-" + string(role), OrgID: org, Role: role},
		IP:        "192.0.2.7", UserAgent: "test-agent/1.0",
	}
}

// pngBytes is a tiny valid PNG header followed by filler.
func pngBytes(n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for len(b) < n {
		b = append(b, byte(len(b)))
	}
	return b[:max(n, len(b))]
}

func pdfBytes(n int) []byte {
	b := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
	for len(b) < n {
		b = append(b, ' ')
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func receipt(c application.Caller, name string, body []byte) application.UploadCommand {
	return application.UploadCommand{Caller: c, System: "accounting", ObjectType: "receipt",
		ObjectID: "exp-1", Filename: name, Body: bytes.NewReader(body), DeclaredSize: -1}
}

func (f *fixture) mustUpload(t *testing.T, cmd application.UploadCommand) *domain.FileRecord {
	t.Helper()
	rec, err := f.app.Upload.Handle(context.Background(), cmd)
	if err != nil {
		t.Fatalf("upload %s: %v", cmd.Filename, err)
	}
	return rec
}

// blobKeys lists every blob key the store holds under prefix.
func (f *fixture) blobKeys(t *testing.T, prefix string) []string {
	t.Helper()
	infos, err := f.blobs.List(context.Background(), prefix, "", 1000)
	if err != nil {
		t.Fatalf("list blobs: %v", err)
	}
	keys := make([]string, len(infos))
	for i, in := range infos {
		keys[i] = in.Key
	}
	return keys
}

func (f *fixture) blobBytes(t *testing.T, key string) []byte {
	t.Helper()
	rc, _, err := f.blobs.Open(context.Background(), key, application.Whole)
	if err != nil {
		t.Fatalf("open blob %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read blob %s: %v", key, err)
	}
	return b
}

// lastEvent returns the newest audit event and checks exactly want events
// were written since before.
func (f *fixture) eventsSince(t *testing.T, before, want int) []*domain.AuditEvent {
	t.Helper()
	all := f.audit.Events()
	if got := len(all) - before; got != want {
		t.Fatalf("audit events written: got %d, want %d", got, want)
	}
	return all[before:]
}

func wantKind(t *testing.T, err, kind error, code string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error: got %v, want kind %v", err, kind)
	}
	if code == "" {
		return
	}
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != code {
		t.Fatalf("error code: got %v, want %q", err, code)
	}
}
