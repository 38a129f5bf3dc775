package application_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

const racers = 20

// checkOneCompleteFile asserts the path ends with exactly one blob whose
// bytes match its record.
func checkOneCompleteFile(t *testing.T, f *fixture, path string) *domain.FileRecord {
	t.Helper()
	rec, err := f.files.Get(context.Background(), domain.MustParseStoragePath(path))
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	keys := f.blobKeys(t, path+"/")
	if len(keys) != 1 || keys[0] != rec.Content().BlobKey {
		t.Fatalf("blobs under the path: got %v, want only %s", keys, rec.Content().BlobKey)
	}
	if got := f.blobBytes(t, keys[0]); sha(got) != rec.Content().SHA256 || int64(len(got)) != rec.Content().SizeBytes {
		t.Fatalf("blob bytes do not match the record")
	}
	return rec
}

func TestConcurrentUploadsToANewPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			_, errs[i] = f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(1000+i)))
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, domain.ErrExists):
			t.Errorf("loser's error: got %v, want ErrExists", err)
		}
	}
	if wins != 1 {
		t.Fatalf("winners: got %d, want 1", wins)
	}
	checkOneCompleteFile(t, f, "org-1/accounting/receipt/exp-1/r.png")
	f.eventsSince(t, 0, racers)
}

func TestConcurrentOverwrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(c, "r.png", pngBytes(500)))
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			cmd := receipt(c, "r.png", pngBytes(1000+i))
			cmd.Overwrite = true
			_, errs[i] = f.app.Upload.Handle(context.Background(), cmd)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, domain.ErrExists) {
			t.Errorf("overwrite error: got %v, want nil or ErrExists", err)
		}
	}
	checkOneCompleteFile(t, f, "org-1/accounting/receipt/exp-1/r.png")
}

// gatedReader serves open bytes freely, then signals and waits for release.
type gatedReader struct {
	open    io.Reader
	rest    io.Reader
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if n, err := g.open.Read(p); n > 0 || err != io.EOF {
		return n, err
	}
	g.once.Do(func() { close(g.reached); <-g.release })
	return g.rest.Read(p)
}

// TestStaleReservationTakeover: a stalled upload's reservation expires, a
// second upload takes the path over and commits; when the first finally
// finishes it is discarded and removes only its own blob.
func TestStaleReservationTakeover(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *application.Options) { o.UploadLease = time.Hour })
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

	_, err := f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(2000)))
	wantKind(t, err, domain.ErrExists, "upload_in_progress")

	f.clock.Advance(2 * time.Hour)
	fast := pngBytes(3000)
	f.mustUpload(t, receipt(c, "r.png", fast))

	close(g.release)
	wantKind(t, <-done, domain.ErrExists, "upload_superseded")
	rec := checkOneCompleteFile(t, f, "org-1/accounting/receipt/exp-1/r.png")
	if rec.Content().SHA256 != sha(fast) {
		t.Errorf("record: got sha %s, want the second upload's", rec.Content().SHA256)
	}
}

func TestUploadsToDifferentPathsRunConcurrently(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			if _, err := f.app.Upload.Handle(context.Background(), receipt(c, fmt.Sprintf("r%02d.png", i), pngBytes(100+i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(f.blobKeys(t, "org-1/")); n != racers {
		t.Errorf("blobs: got %d, want %d", n, racers)
	}
}

// TestSoftDeleteCancelsOverwriteInProgress: a member's overwrite is under
// way when the file is soft-deleted. The delete wins: the overwrite is
// discarded (409 upload_superseded) and the deleted bytes stay restorable,
// as a member may not replace a deleted file.
func TestSoftDeleteCancelsOverwriteInProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	original := pngBytes(1000)
	rec := f.mustUpload(t, receipt(member, "r.png", original))
	slow := pngBytes(10000)
	g := &gatedReader{open: bytes.NewReader(slow[:5000]), rest: bytes.NewReader(slow[5000:]),
		reached: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error)
	go func() {
		cmd := receipt(member, "r.png", nil)
		cmd.Body, cmd.Overwrite = g, true
		_, err := f.app.Upload.Handle(context.Background(), cmd)
		done <- err
	}()
	<-g.reached
	if _, err := f.app.Delete.Handle(t.Context(), application.DeleteCommand{Caller: member, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	wantKind(t, <-done, domain.ErrExists, "upload_superseded")
	if keys := f.blobKeys(t, "org-1/"); len(keys) != 1 || keys[0] != rec.Content().BlobKey {
		t.Errorf("blobs: got %v, want only the deleted file's %s", keys, rec.Content().BlobKey)
	}
	restored, err := f.app.Restore.Handle(t.Context(), application.RestoreCommand{Caller: admin, FilePath: rec.Path().String()})
	if err != nil || restored.Content().SHA256 != sha(original) {
		t.Errorf("restore: got %v, %v; want the original bytes", restored, err)
	}
}
