package application_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// TestCleanupUploads lets sessions expire and cleans up: store uploads
// that nothing alive owns go once older than a lease; sessions, active or
// left completing by a request that stopped (a session whose file was
// already committed keeps its file), at their expiry.
func TestCleanupUploads(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	expired := f.initiate(t, c, "expired.pdf", 6<<20)
	f.sendParts(t, c, expired, pdfBytes(6<<20))
	busy := f.initiate(t, c, "busy.pdf", 100)
	claim(t, f, busy)
	committed := f.initiate(t, c, "committed.pdf", 100)
	commitBehindTheSessionsBack(t, f, c, committed)
	orphanKey := "org-1/workspace/doc/doc-1/orphan.pdf/" + "0190c3a1-0000-7000-8000-000000000000"
	if _, err := f.blobs.InitiateMultipart(t.Context(), orphanKey, ""); err != nil {
		t.Fatal(err)
	}
	foreign, err := f.blobs.InitiateMultipart(t.Context(), "not-our-layout", "")
	if err != nil {
		t.Fatal(err)
	}

	f.clock.Advance(10 * time.Second)
	rep, err := f.app.CleanupUploads.Run(t.Context())
	if err != nil || rep != (application.CleanupReport{}) {
		t.Fatalf("cleanup at once: got (%+v, %v), want nothing done", rep, err)
	}
	f.clock.Advance(application.DefaultUploadLease)
	rep, err = f.app.CleanupUploads.Run(t.Context())
	if err != nil || rep != (application.CleanupReport{StoreUploads: 1}) {
		t.Fatalf("cleanup past a lease: got (%+v, %v), want the orphan store upload aborted", rep, err)
	}
	f.clock.Advance(23 * time.Hour)
	rep, err = f.app.CleanupUploads.Run(t.Context())
	if err != nil || rep != (application.CleanupReport{}) {
		t.Fatalf("cleanup before expiry: got (%+v, %v), want nothing done", rep, err)
	}
	f.clock.Advance(time.Hour)
	rep, err = f.app.CleanupUploads.Run(t.Context())
	if err != nil || rep != (application.CleanupReport{Sessions: 3}) {
		t.Fatalf("cleanup after expiry: got (%+v, %v), want the three sessions cleaned", rep, err)
	}
	for _, s := range []*domain.UploadSession{busy, committed} {
		if _, err := f.sessions.Get(t.Context(), s.ID()); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("session %s: got %v, want it cleaned", s.OriginalFilename(), err)
		}
	}
	f.wantNothingLeft(t, expired)

	if _, err := f.files.Get(t.Context(), busy.Path()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("busy session's reservation: got %v, want it released", err)
	}
	if rec, err := f.files.Get(t.Context(), committed.Path()); err != nil || !rec.Visible() {
		t.Errorf("committed file: got (%v, %v), want it kept", rec, err)
	} else if _, err := f.blobs.Stat(t.Context(), rec.Content().BlobKey); err != nil {
		t.Errorf("committed file's blob: got %v, want it kept", err)
	}
	ups, _ := f.blobs.ListMultipart(t.Context(), "", "", "", 10)
	if len(ups) != 1 || ups[0].StoreUploadID != foreign {
		t.Errorf("store uploads left: got %+v, want only the one outside the key layout", ups)
	}
	var cleaned int
	for _, e := range f.events(t, "org-1") {
		if e.Action == domain.ActionMultipartAbort && e.Actor.UserID == domain.SystemActor && e.Success {
			cleaned++
		}
	}
	if cleaned != 3 {
		t.Errorf("audit: got %d MULTIPART_ABORT events by the system, want 3", cleaned)
	}
	rep, err = f.app.CleanupUploads.Run(t.Context())
	if err != nil || rep != (application.CleanupReport{}) {
		t.Errorf("cleanup again: got (%+v, %v), want nothing left to do", rep, err)
	}
}

// claim marks s as being completed, as a request that then stopped would.
func claim(t *testing.T, f *mpFixture, s *domain.UploadSession) {
	t.Helper()
	got, err := f.sessions.Get(t.Context(), s.ID())
	if err == nil {
		err = got.BeginComplete(f.clock.Now(), application.DefaultClaimLease)
	}
	if err == nil {
		_, err = f.sessions.Update(t.Context(), got)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// commitBehindTheSessionsBack completes s as a complete that stopped
// after committing, before deleting its session.
func commitBehindTheSessionsBack(t *testing.T, f *mpFixture, c application.Caller, s *domain.UploadSession) {
	t.Helper()
	refs := f.sendParts(t, c, s, pdfBytes(100))
	claim(t, f, s)
	if _, err := f.blobs.CompleteMultipart(t.Context(), s.BlobKey(), s.StoreUploadID(), refs); err != nil {
		t.Fatal(err)
	}
	rec, err := f.files.Get(t.Context(), s.Path())
	if err != nil {
		t.Fatal(err)
	}
	content := domain.Content{BlobKey: s.BlobKey(), ContentType: "application/pdf", SizeBytes: 100,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	if _, err := rec.CompleteUpload(s.UploadID(), content, "committed.pdf", "user-member", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.files.Update(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentCleanupsClaimOnce: clean-up runs at once, long after the
// sessions expired, take each session once and count it once.
func TestConcurrentCleanupsClaimOnce(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	const n = 20
	for i := range n {
		s := f.initiate(t, c, fmt.Sprintf("s%02d.pdf", i), 100)
		if i%2 == 0 {
			claim(t, f, s) // left completing by a request that stopped
		}
	}
	f.clock.Advance(48 * time.Hour)
	reps := make([]application.CleanupReport, 4)
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() {
			rep, err := f.app.CleanupUploads.Run(t.Context())
			if err != nil {
				t.Error(err)
			}
			reps[i] = rep
		})
	}
	wg.Wait()
	var sessions, failures int64
	for _, r := range reps {
		sessions, failures = sessions+r.Sessions, failures+r.Failures
	}
	if sessions != n || failures != 0 {
		t.Errorf("concurrent runs: got %d sessions cleaned and %d failures in %+v, want %d and 0", sessions, failures, reps, n)
	}
}

// TestConcurrentCleanupsCountLapsedOnce: the reservations of uploads that
// died (their pending rows, and the store uploads their streamed Puts
// started) are released and aborted by clean-up runs at once, each
// counted by one run only.
func TestConcurrentCleanupsCountLapsedOnce(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	const n = 20
	for i := range n {
		path := domain.MustParseStoragePath(fmt.Sprintf("org-1/workspace/doc/doc-%d/dead.pdf", i))
		uploadID := fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", i)
		rec, err := domain.NewPendingRecord(fmt.Sprintf("rec-%d", i), path, "dead.pdf", "user-member", uploadID,
			f.clock.Now(), application.DefaultUploadLease)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.files.Create(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		if _, err := f.blobs.InitiateMultipart(t.Context(), domain.BlobKeyFor(path, uploadID), ""); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(2 * application.DefaultUploadLease)
	// Every run lists the same lapsed reservations and store uploads
	// before any of them acts: the worst interleaving, every time.
	reps := make([]application.CleanupReport, 4)
	lapsed, listed := newBarrier(len(reps)), newBarrier(len(reps))
	app := application.New(&barrierStore{MemoryMultipart: f.blobs, b: listed}, &barrierFiles{FileRepository: f.files, b: lapsed},
		f.audit, f.sessions, memrepo.NewTransactor(), nil, &recordingSigner{}, f.clock, application.Options{})
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() {
			rep, err := app.CleanupUploads.Run(t.Context())
			if err != nil {
				t.Error(err)
			}
			reps[i] = rep
		})
	}
	wg.Wait()
	var reservations, storeUploads, failures int64
	for _, r := range reps {
		reservations, storeUploads, failures = reservations+r.Reservations, storeUploads+r.StoreUploads, failures+r.Failures
	}
	if reservations != n || storeUploads != n || failures != 0 {
		t.Errorf("concurrent runs: got %d reservations, %d store uploads and %d failures in %+v, want %d, %d and 0",
			reservations, storeUploads, failures, reps, n, n)
	}
	if ups, _ := f.blobs.ListMultipart(t.Context(), "", "", "", 100); len(ups) != 0 {
		t.Errorf("store uploads left: %d", len(ups))
	}
	for i := range n {
		path := domain.MustParseStoragePath(fmt.Sprintf("org-1/workspace/doc/doc-%d/dead.pdf", i))
		if _, err := f.files.Get(t.Context(), path); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("reservation of %s: got %v, want it released", path, err)
		}
	}
}

// barrier holds each of n callers until all n arrived (or a few seconds
// passed, so a test cannot hang on it).
type barrier struct {
	mu      sync.Mutex
	arrived int
	all     chan struct{}
	n       int
}

func newBarrier(n int) *barrier { return &barrier{all: make(chan struct{}), n: n} }

func (b *barrier) wait() {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
	case <-time.After(5 * time.Second):
	}
}

// barrierFiles holds each ListLapsed at b once it has its page.
type barrierFiles struct {
	application.FileRepository
	b *barrier
}

func (f *barrierFiles) ListLapsed(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.FileRecord, error) {
	page, err := f.FileRepository.ListLapsed(ctx, before, afterID, limit)
	f.b.wait()
	return page, err
}

// barrierStore holds each ListMultipart at b once it has its page.
type barrierStore struct {
	*blobstoretest.MemoryMultipart
	b *barrier
}

func (s *barrierStore) ListMultipart(ctx context.Context, prefix, afterKey, afterID string, limit int) ([]application.MultipartUpload, error) {
	page, err := s.MemoryMultipart.ListMultipart(ctx, prefix, afterKey, afterID, limit)
	s.b.wait()
	return page, err
}
