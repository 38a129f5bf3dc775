package application_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TestMultipartCompleteBadPartList offers part lists that do not match
// the store's: each is refused with the session left open, and the right
// list then completes it.
func TestMultipartCompleteBadPartList(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	data := pdfBytes(6 << 20)
	s := f.initiate(t, c, "a.pdf", int64(len(data)))
	refs := f.sendParts(t, c, s, data)
	for name, tc := range map[string]struct {
		parts []domain.PartRef
		code  string
	}{
		"wrong ETag":    {[]domain.PartRef{refs[0], {Number: 2, ETag: `"00112233445566778899aabbccddeeff"`}}, "part_etag_mismatch"},
		"missing part":  {refs[:1], "parts_incomplete"},
		"no parts":      {nil, "parts_incomplete"},
		"out of order":  {[]domain.PartRef{refs[1], refs[0]}, "parts_incomplete"},
		"extra part":    {append(append([]domain.PartRef{}, refs...), domain.PartRef{Number: 3, ETag: refs[0].ETag}), "parts_incomplete"},
		"repeated part": {[]domain.PartRef{refs[0], refs[0]}, "parts_incomplete"},
	} {
		_, err := f.complete(t, c, s, tc.parts)
		if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Code != tc.code || !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid %s", name, err, tc.code)
		}
	}
	rec, err := f.complete(t, c, s, refs)
	if err != nil || rec.Content().SizeBytes != int64(len(data)) {
		t.Fatalf("complete after refusals: got (%v, %v), want the file", rec, err)
	}
}

// TestMultipartCompleteWrongContent completes an upload whose bytes the
// kind does not allow: 415, and nothing is left of it.
func TestMultipartCompleteWrongContent(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{Caller: c,
		System: "accounting", ObjectType: "receipt", ObjectID: "r-1", Filename: "scan.png", Size: 6 << 20,
		ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("MZ not an image at all "), (6<<20)/23+1)[:6<<20]
	refs := f.sendParts(t, c, s, data)
	_, err = f.complete(t, c, s, refs)
	wantDomainErr(t, err, domain.ErrUnsupportedType, "unsupported_content_type")
	f.wantNothingLeft(t, s)
	evs := f.events(t, "org-1")
	last := evs[len(evs)-1]
	if last.Action != domain.ActionUpload || last.Success {
		t.Errorf("audit: got %s success=%v, want a failed UPLOAD", last.Action, last.Success)
	}
	if ops := f.backgroundOps(); len(ops) != 0 {
		t.Errorf("background failures: got %v, want none", ops)
	}
}

// TestMultipartOverwrite replaces a file: overwrite is needed, the
// completion is audited as EDIT and the replaced blob is removed.
func TestMultipartOverwrite(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	first := f.initiate(t, c, "a.pdf", 100)
	old, err := f.complete(t, c, first, f.sendParts(t, c, first, pdfBytes(100)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{Caller: c,
		System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Size: 200})
	wantDomainErr(t, err, domain.ErrExists, "file_exists")
	s, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{Caller: c,
		System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Size: 200, Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.complete(t, c, s, f.sendParts(t, c, s, pdfBytes(200)))
	if err != nil || rec.Content().SizeBytes != 200 {
		t.Fatalf("overwrite: got (%v, %v), want the new content", rec, err)
	}
	if _, err := f.blobs.Stat(t.Context(), old.Content().BlobKey); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("replaced blob: got %v, want it removed", err)
	}
	evs := f.events(t, "org-1")
	if last := evs[len(evs)-1]; last.Action != domain.ActionEdit || !last.Success {
		t.Errorf("audit: got %s, want EDIT", last.Action)
	}
}

// TestMultipartAbort aborts an upload: nothing is left, a second abort
// finds nothing, and a session being completed cannot be aborted.
func TestMultipartAbort(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 6<<20)
	f.sendParts(t, c, s, pdfBytes(6<<20))
	abort := application.AbortMultipartCommand{Caller: c, UploadID: s.ID()}
	if err := f.app.AbortMultipart.Handle(t.Context(), abort); err != nil {
		t.Fatalf("abort: %v", err)
	}
	f.wantNothingLeft(t, s)
	wantDomainErr(t, f.app.AbortMultipart.Handle(t.Context(), abort), domain.ErrNotFound, "upload_not_found")
	evs := f.events(t, "org-1")
	if e := evs[len(evs)-2]; e.Action != domain.ActionMultipartAbort || !e.Success {
		t.Errorf("audit: got %s success=%v, want a successful MULTIPART_ABORT", e.Action, e.Success)
	}

	busy := f.initiate(t, c, "b.pdf", 100)
	claimed, _ := f.sessions.Get(t.Context(), busy.ID())
	if err := claimed.BeginComplete(f.clock.Now(), application.DefaultClaimLease); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sessions.Update(t.Context(), claimed); err != nil {
		t.Fatal(err)
	}
	err := f.app.AbortMultipart.Handle(t.Context(), application.AbortMultipartCommand{Caller: c, UploadID: busy.ID()})
	wantDomainErr(t, err, domain.ErrExists, "upload_closing")
	_, err = f.complete(t, c, busy, nil)
	wantDomainErr(t, err, domain.ErrExists, "upload_closing")
}

// TestMultipartRenewsReservation checks that a session holds its path's
// reservation for its lifetime, and that once it expired an upload takes
// the path over.
func TestMultipartRenewsReservation(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	upload := func() error {
		_, err := f.app.Upload.Handle(t.Context(), application.UploadCommand{Caller: c, System: "workspace",
			ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Body: bytes.NewReader(pdfBytes(50)), DeclaredSize: -1})
		return err
	}
	s := f.initiate(t, c, "a.pdf", 100)
	f.clock.Advance(50 * time.Minute)
	refs := f.sendParts(t, c, s, pdfBytes(100))
	f.clock.Advance(22 * time.Hour) // far beyond any streaming lease
	wantDomainErr(t, upload(), domain.ErrExists, "upload_in_progress")
	if _, err := f.complete(t, c, s, refs); err != nil {
		t.Fatalf("complete: %v", err)
	}

	stale := f.initiate(t, c, "b.pdf", 100)
	f.clock.Advance(24*time.Hour + time.Second)
	_, err := f.app.Upload.Handle(t.Context(), application.UploadCommand{Caller: c, System: "workspace",
		ObjectType: "doc", ObjectID: "doc-1", Filename: "b.pdf", Body: bytes.NewReader(pdfBytes(50)), DeclaredSize: -1})
	if err != nil {
		t.Fatalf("upload over a stale reservation: %v", err)
	}
	_, err = f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: stale.ID(), Parts: []int{1}})
	wantDomainErr(t, err, domain.ErrNotFound, "upload_expired")
}

// TestCompleteTakesOverALapsedClaim: a complete died after the store
// assembled the parts (its claim stays). Until the claim lapses a retry is
// upload_closing; then the retry takes the upload over and commits it.
func TestCompleteTakesOverALapsedClaim(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 100)
	refs := f.sendParts(t, c, s, pdfBytes(100))
	claim(t, f, s)
	if _, err := f.blobs.CompleteMultipart(t.Context(), s.BlobKey(), s.StoreUploadID(), refs); err != nil {
		t.Fatal(err)
	}
	_, err := f.complete(t, c, s, refs)
	wantDomainErr(t, err, domain.ErrExists, "upload_closing")
	f.clock.Advance(application.DefaultClaimLease)
	rec, err := f.complete(t, c, s, refs)
	if err != nil {
		t.Fatalf("complete after the claim lapsed: %v", err)
	}
	if rec.Content().BlobKey != s.BlobKey() || !rec.Visible() {
		t.Errorf("record: got %+v, want the assembled blob committed", rec.Data())
	}
	if _, err := f.sessions.Get(t.Context(), s.ID()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("session: got %v, want it deleted", err)
	}
}
