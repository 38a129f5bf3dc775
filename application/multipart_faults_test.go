package application_test

import (
	"errors"
	"testing"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// TestMultipartInitiateFaults breaks the store, then the session
// repository, at initiate: 503, no reservation or store upload left, and
// the failure audited.
func TestMultipartInitiateFaults(t *testing.T) {
	t.Parallel()
	for name, arm := range map[string]func(*mpFixture){
		"store unreachable":       func(f *mpFixture) { f.store.failInitiate = true },
		"session write fails":     func(f *mpFixture) { f.sessions.failCreate = true },
		"reservation write fails": func(f *mpFixture) { f.faulty.failCreate = true },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newMPFixture(t)
			arm(f)
			c := caller("org-1", domain.RoleMember)
			_, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{Caller: c,
				System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Size: 100})
			if !errors.Is(err, domain.ErrUnavailable) {
				t.Fatalf("got %v, want ErrUnavailable", err)
			}
			p := domain.MustParseStoragePath("org-1/workspace/doc/doc-1/a.pdf")
			if _, err := f.files.Get(t.Context(), p); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("reservation: got %v, want it released", err)
			}
			if ups, _ := f.blobs.ListMultipart(t.Context(), "", "", "", 10); len(ups) != 0 {
				t.Errorf("store uploads: got %v, want none", ups)
			}
			evs := f.events(t, "org-1")
			if len(evs) != 1 || evs[0].Success || evs[0].ErrorMessage == "" {
				t.Errorf("audit: got %+v, want one failed event", evs)
			}
		})
	}
}

// TestMultipartCompleteStoreDown fails the store's assembly: 503, the
// session stays open, and completing again once the store is back works.
func TestMultipartCompleteStoreDown(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 6<<20)
	refs := f.sendParts(t, c, s, pdfBytes(6<<20))
	f.store.failComplete = true
	_, err := f.complete(t, c, s, refs)
	wantDomainErr(t, err, domain.ErrUnavailable, "store_unavailable")
	if got, err := f.sessions.Get(t.Context(), s.ID()); err != nil || got.State() != domain.SessionActive {
		t.Fatalf("session after a failed assembly: got (%v, %v), want it active", got, err)
	}
	f.store.failComplete = false
	if _, err := f.complete(t, c, s, refs); err != nil {
		t.Fatalf("complete again: %v", err)
	}
}

// TestMultipartCommitFails fails the record's commit after the store
// assembled the file: the assembled blob is removed, the reservation
// released and the session deleted.
func TestMultipartCommitFails(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 6<<20)
	refs := f.sendParts(t, c, s, pdfBytes(6<<20))
	f.faulty.failCommit = 1
	_, err := f.complete(t, c, s, refs)
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	f.wantNothingLeft(t, s)
	evs := f.events(t, "org-1")
	if last := evs[len(evs)-1]; last.Action != domain.ActionUpload || last.Success {
		t.Errorf("audit: got %s success=%v, want a failed UPLOAD", last.Action, last.Success)
	}
}

// TestMultipartAbortStoreDown fails the store's abort: 503, the session
// stays (aborting) for a retry, which then succeeds.
func TestMultipartAbortStoreDown(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 100)
	f.store.failAbort = true
	abort := application.AbortMultipartCommand{Caller: c, UploadID: s.ID()}
	wantDomainErr(t, f.app.AbortMultipart.Handle(t.Context(), abort), domain.ErrUnavailable, "store_unavailable")
	if got, err := f.sessions.Get(t.Context(), s.ID()); err != nil || got.State() != domain.SessionAborting {
		t.Fatalf("session after a failed abort: got (%v, %v), want it aborting", got, err)
	}
	f.store.failAbort = false
	if err := f.app.AbortMultipart.Handle(t.Context(), abort); err != nil {
		t.Fatalf("abort again: %v", err)
	}
	f.wantNothingLeft(t, s)
}

// TestMultipartPartURLsNeedTheirAuditEvent fails the audit trail: no
// part URL is handed out without its event.
func TestMultipartPartURLsNeedTheirAuditEvent(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 100)
	f.app = application.New(f.store, f.faulty, &faultyAudit{AuditLog: f.audit, fail: true}, f.sessions, memrepo.NewTransactor(), nil, nil, f.clock, application.Options{})
	urls, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: []int{1}})
	if urls != nil || !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("got (%v, %v), want no URLs and ErrUnavailable", urls, err)
	}
}

// TestMultipartUnavailable uses a store without multipart uploads.
func TestMultipartUnavailable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{
		Caller: caller("org-1", domain.RoleMember), System: "workspace", ObjectType: "doc", ObjectID: "d", Filename: "a.pdf", Size: 10})
	wantDomainErr(t, err, domain.ErrUnavailable, "multipart_unavailable")
	if f.app.ReceivePart != nil || f.app.Download != nil {
		t.Errorf("a store and signer without the capabilities: got ReceivePart %v, Download %v, want nil",
			f.app.ReceivePart, f.app.Download)
	}
}
