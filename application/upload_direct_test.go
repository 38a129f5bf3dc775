package application_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"storagegw/domain"
)

// checkAtEOF runs check once the body it wraps is read to its end.
type checkAtEOF struct {
	r     io.Reader
	check func()
	done  bool
}

func (c *checkAtEOF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if errors.Is(err, io.EOF) && !c.done {
		c.done = true
		c.check()
	}
	return n, err
}

// A new timestamped upload of an org without a quota reserves nothing
// while its bytes stream: its record is created with its content, in one
// transaction with its one event.
func TestDirectUploadReservesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	at, err := domain.ParseStoragePath("org-1/accounting/receipt/exp-1/20260126_153045_a.png")
	if err != nil {
		t.Fatal(err)
	}
	body := pngBytes(5000)
	cmd := receipt(caller("org-1", domain.RoleMember), "a.png", nil)
	cmd.AddTimestamp = true
	cmd.Body = &checkAtEOF{r: bytes.NewReader(body), check: func() {
		if _, err := f.files.Get(context.Background(), at); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("while the bytes streamed the path held a record (%v)", err)
		}
	}}
	rec := f.mustUpload(t, cmd)
	if rec.Path() != at || !rec.Visible() || rec.PendingUploadID() != "" || rec.Content().SHA256 != sha(body) {
		t.Errorf("record: got %+v", rec.Data())
	}
	ev := f.eventsSince(t, 0, 1)[0].Data()
	if ev.Action != domain.ActionUpload || !ev.Success || ev.FilePath != at.String() || ev.Metadata["size_bytes"] != int64(5000) {
		t.Errorf("audit event: got %+v", ev)
	}
	if keys := f.blobKeys(t, "org-1/"); len(keys) != 1 || keys[0] != rec.Content().BlobKey {
		t.Errorf("blobs: got %v, want the record's only", keys)
	}
}

// A direct upload whose path exists by the time it commits goes on as any
// upload would: refused next to a file (its blob removed), taking over a
// lapsed reservation.
func TestDirectUploadClash(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	member := caller("org-1", domain.RoleMember)
	up := func(name string) (*domain.FileRecord, error) {
		cmd := receipt(member, name, pngBytes(100))
		cmd.AddTimestamp = true
		return f.app.Upload.Handle(context.Background(), cmd)
	}
	first, err := up("a.png")
	if err != nil {
		t.Fatal(err)
	}
	_, err = up("a.png") // the same second: the same path
	wantKind(t, err, domain.ErrExists, "file_exists")
	if keys := f.blobKeys(t, "org-1/"); len(keys) != 1 || keys[0] != first.Content().BlobKey {
		t.Errorf("blobs after the refused clash: got %v, want the first upload's only", keys)
	}
	evs := f.eventsSince(t, 0, 2)
	if d := evs[1].Data(); d.Success || d.Action != domain.ActionEdit { // as any refused upload onto a file
		t.Errorf("the clash's event: got %+v", d)
	}

	at, err := domain.ParseStoragePath("org-1/accounting/receipt/exp-1/20260126_153045_b.png")
	if err != nil {
		t.Fatal(err)
	}
	dead, err := domain.NewPendingRecord("rec-dead", at, "b.png", "user-x", "up-dead", f.clock.Now().Add(-time.Hour), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.files.Create(context.Background(), dead); err != nil {
		t.Fatal(err)
	}
	rec, err := up("b.png")
	if err != nil {
		t.Fatalf("a direct upload onto a lapsed reservation: %v", err)
	}
	if rec.ID() != "rec-dead" || !rec.Visible() || rec.PendingUploadID() != "" {
		t.Errorf("took over: got %+v", rec.Data())
	}
}
