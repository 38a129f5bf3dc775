package application_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TestHungBlobDeleteDoesNotHoldTheRelease: an upload fails and its blob's
// removal hangs (a black-holed store). The reservation is released all the
// same, while the delete still hangs, and the failure is reported as the
// blob removal's, not the release's.
func TestHungBlobDeleteDoesNotHoldTheRelease(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	f.faultyBlobs.failPut = true
	f.faultyBlobs.hangDelete, f.faultyBlobs.deleting = make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(2000)))
		done <- err
	}()
	<-f.faultyBlobs.deleting
	path, err := domain.ParseStoragePath("org-1/accounting/receipt/exp-1/r.png")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := f.files.Get(context.Background(), path)
		if errors.Is(err, domain.ErrNotFound) {
			break // released while the delete hangs
		}
		if time.Now().After(deadline) {
			t.Fatalf("reservation while the blob delete hangs: got %v, want it released", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(f.faultyBlobs.hangDelete)
	wantKind(t, <-done, domain.ErrUnavailable, "")
	ops := f.backgroundOps()
	if !slices.Contains(ops, "remove abandoned blob") || slices.Contains(ops, "release reservation") {
		t.Errorf("background failures: got %v, want the blob removal's only", ops)
	}
}

// TestStreamingUploadRenewsItsLease: while an upload's bytes stream, its
// lease is renewed, so a second upload to the path is refused long after
// the first lease would have lapsed; once the first stops renewing, its
// lease lapses and the path is taken over.
func TestStreamingUploadRenewsItsLease(t *testing.T) {
	t.Parallel()
	const lease = 60 * time.Millisecond
	f := newFixture(t, func(o *application.Options) { o.UploadLease = lease })
	c := caller("org-1", domain.RoleMember)
	slow := pngBytes(10000)
	g := &gatedReader{open: bytes.NewReader(slow[:5000]), rest: bytes.NewReader(slow[5000:]),
		reached: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error)
	go func() {
		cmd := receipt(c, "r.png", nil)
		cmd.Body = g
		_, err := f.app.Upload.Handle(context.Background(), cmd)
		done <- err
	}()
	<-g.reached
	for range 10 { // ten leases of the clock, each followed by renewals in real time
		f.clock.Advance(lease)
		time.Sleep(lease)
		_, err := f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(2000)))
		wantKind(t, err, domain.ErrExists, "upload_in_progress")
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatalf("streaming upload: got %v, want it committed", err)
	}
	rec := checkOneCompleteFile(t, f, "org-1/accounting/receipt/exp-1/r.png")
	if rec.Content().SHA256 != sha(slow) || !rec.PendingUntil().IsZero() {
		t.Errorf("record: got sha %s lease until %v, want the streamed file's, no lease", rec.Content().SHA256, rec.PendingUntil())
	}
}

// TestDatabaseFailureEndsWithinOneTimeout: when the database fails a
// request (here its reservation) and then hangs, the failure's audit
// event gets a short budget: the request ends in about a second instead
// of waiting the audit's full budget too.
func TestDatabaseFailureEndsWithinOneTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.faultyFiles.failCreate = true
	f.faultyAudit.hang = true
	dbDown := domain.Wrap(domain.ErrUnavailable, domain.CodeDatabaseUnavailable, "The database is unavailable; try again later.",
		context.DeadlineExceeded)
	f.faultyFiles.createErr = dbDown
	start := time.Now()
	_, err := f.app.Upload.Handle(context.Background(), receipt(caller("org-1", domain.RoleMember), "r.png", pngBytes(2000)))
	took := time.Since(start)
	wantKind(t, err, domain.ErrUnavailable, domain.CodeDatabaseUnavailable)
	if took > 3*time.Second {
		t.Errorf("request took %v after the database failed, want about a second", took)
	}
	if ops := f.backgroundOps(); !slices.Contains(ops, "audit UPLOAD") {
		t.Errorf("background failures: got %v, want the lost audit event reported", ops)
	}
}
