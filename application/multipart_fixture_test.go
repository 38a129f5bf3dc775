package application_test

import (
	"bytes"
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// mpFixture wires the use cases over the multipart fakes, with fault
// switches on the store and the session repository.
type mpFixture struct {
	app    *application.Application
	store  *faultyMultipart
	blobs  *blobstoretest.MemoryMultipart
	files  *memrepo.Files
	faulty *faultyFiles
	audit  *memrepo.Audit
	// faultyAudit wraps audit, disarmed until a test arms it.
	faultyAudit *faultyAudit
	sessions    *faultySessions
	clock       *fakeClock

	mu         sync.Mutex
	background []string
}

func newMPFixture(t *testing.T, options ...func(*application.Options)) *mpFixture {
	t.Helper()
	f := &mpFixture{files: memrepo.NewFiles(), audit: memrepo.NewAudit(),
		clock: &fakeClock{now: time.Date(2026, 1, 26, 15, 30, 45, 0, time.UTC)}}
	f.blobs = blobstoretest.NewMemoryMultipart(f.clock)
	f.store = &faultyMultipart{MemoryMultipart: f.blobs}
	f.sessions = &faultySessions{Sessions: memrepo.NewSessions()}
	f.faulty = &faultyFiles{FileRepository: f.files}
	f.faultyAudit = &faultyAudit{AuditLog: f.audit}
	opts := application.Options{Multipart: application.MultipartOptions{PartSize: domain.MinPartBytes}}
	opts.OnBackgroundError = func(_ context.Context, op string, _ error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.background = append(f.background, op)
	}
	for _, o := range options {
		o(&opts)
	}
	f.app = application.New(f.store, f.faulty, f.faultyAudit, f.sessions, memrepo.NewTransactor(), nil, &recordingSigner{}, f.clock, opts)
	return f
}

func (f *mpFixture) backgroundOps() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.background...)
}

// initiate starts an upload of size bytes of workspace/doc as c.
func (f *mpFixture) initiate(t *testing.T, c application.Caller, name string, size int64) *domain.UploadSession {
	t.Helper()
	s, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{
		Caller: c, System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: name, Size: size})
	if err != nil {
		t.Fatalf("InitiateMultipart: got error %v, want nil", err)
	}
	return s
}

// sendParts asks for every part's URL and sends data's bytes to them.
func (f *mpFixture) sendParts(t *testing.T, c application.Caller, s *domain.UploadSession, data []byte) []domain.PartRef {
	t.Helper()
	plan := s.Plan()
	numbers := make([]int, plan.Count)
	for i := range numbers {
		numbers[i] = i + 1
	}
	urls, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: numbers})
	if err != nil {
		t.Fatalf("MultipartPartURLs: got error %v, want nil", err)
	}
	refs := make([]domain.PartRef, len(urls))
	for i, u := range urls {
		start := int64(i) * plan.Size
		etag, err := f.receive(t, u.URL, data[start:start+u.Size])
		if err != nil {
			t.Fatalf("sending part %d: %v", u.Number, err)
		}
		refs[i] = domain.PartRef{Number: u.Number, ETag: etag}
	}
	return refs
}

// receive sends body to a part URL, as the local part route does.
func (f *mpFixture) receive(t *testing.T, link string, body []byte) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	return f.app.ReceivePart.Handle(t.Context(), u.Query(), bytes.NewReader(body))
}

// complete completes s with refs.
func (f *mpFixture) complete(t *testing.T, c application.Caller, s *domain.UploadSession, refs []domain.PartRef) (*domain.FileRecord, error) {
	return f.app.CompleteMultipart.Handle(t.Context(), application.CompleteMultipartCommand{Caller: c, UploadID: s.ID(), Parts: refs})
}

// events returns org's audit events, oldest first.
func (f *mpFixture) events(t *testing.T, org string) []domain.AuditEventData {
	t.Helper()
	evs, err := f.audit.Query(t.Context(), application.AuditQuery{OrgID: org, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]domain.AuditEventData, len(evs))
	for i, e := range evs {
		out[len(evs)-1-i] = e.Data()
	}
	return out
}

// wantNothingLeft checks that no record, blob, session or store upload
// of s remains.
func (f *mpFixture) wantNothingLeft(t *testing.T, s *domain.UploadSession) {
	t.Helper()
	if _, err := f.files.Get(t.Context(), s.Path()); err == nil {
		t.Errorf("record at %s: got one, want none", s.Path())
	}
	prefix := s.Path().String() + "/"
	if blobs, _ := f.blobs.List(t.Context(), prefix, "", 10); len(blobs) != 0 {
		t.Errorf("blobs under %s: got %v, want none", prefix, blobs)
	}
	if _, err := f.sessions.Get(t.Context(), s.ID()); err == nil {
		t.Errorf("session %s: got it, want it deleted", s.ID())
	}
	if ups, _ := f.blobs.ListMultipart(t.Context(), prefix, "", "", 10); len(ups) != 0 {
		t.Errorf("store uploads under %s: got %v, want none", prefix, ups)
	}
}

// faultyMultipart is the multipart fake with failures to switch on.
type faultyMultipart struct {
	*blobstoretest.MemoryMultipart
	failInitiate, failComplete, failAbort bool
}

func (m *faultyMultipart) InitiateMultipart(ctx context.Context, key, ct string) (string, error) {
	if m.failInitiate {
		return "", storeDown()
	}
	return m.MemoryMultipart.InitiateMultipart(ctx, key, ct)
}

func (m *faultyMultipart) CompleteMultipart(ctx context.Context, key, id string, parts []domain.PartRef) (application.BlobInfo, error) {
	if m.failComplete {
		return application.BlobInfo{}, storeDown()
	}
	return m.MemoryMultipart.CompleteMultipart(ctx, key, id, parts)
}

func (m *faultyMultipart) AbortMultipart(ctx context.Context, key, id string) error {
	if m.failAbort {
		return storeDown()
	}
	return m.MemoryMultipart.AbortMultipart(ctx, key, id)
}

func storeDown() error {
	return domain.Wrap(domain.ErrUnavailable, "store_unavailable", "The file store is unavailable; try again later.", errInjected)
}

// faultySessions is the session fake with failures to switch on.
type faultySessions struct {
	*memrepo.Sessions
	failCreate bool
}

func (s *faultySessions) Create(ctx context.Context, sess *domain.UploadSession) (*domain.UploadSession, error) {
	if s.failCreate {
		return nil, domain.Wrap(domain.ErrUnavailable, "database_unavailable", "The database is unavailable.", errInjected)
	}
	return s.Sessions.Create(ctx, sess)
}
