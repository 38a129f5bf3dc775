package application_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/mocks"
	"storagegw/domain"
)

// fakeSealer keeps capabilities in a map: the token is the capability id.
type fakeSealer struct {
	caps map[string]*domain.UploadCapability
}

func (f *fakeSealer) Seal(c *domain.UploadCapability) (string, error) {
	f.caps[c.ID()] = c
	return "tok-" + c.ID(), nil
}

func (f *fakeSealer) Open(token string) (*domain.UploadCapability, error) {
	for id, c := range f.caps {
		if token == "tok-"+id {
			return c, nil
		}
	}
	return nil, domain.Errorf(domain.ErrForbidden, "capability_invalid", "The upload capability is not valid.")
}

func newCapFixture(t *testing.T) *mpFixture {
	t.Helper()
	return newMPFixture(t, func(o *application.Options) {
		o.Capabilities = application.CapabilityOptions{Sealer: &fakeSealer{caps: map[string]*domain.UploadCapability{}}}
	})
}

// issue hands c a capability for workspace/doc/doc-1, edited by edit.
func (f *mpFixture) issue(t *testing.T, c application.Caller, edit func(*application.IssueCapabilityCommand)) application.IssuedCapability {
	t.Helper()
	cmd := application.IssueCapabilityCommand{Caller: c, System: "workspace", ObjectType: "doc", ObjectID: "doc-1"}
	if edit != nil {
		edit(&cmd)
	}
	out, err := f.app.IssueUploadCapability.Handle(t.Context(), cmd)
	if err != nil {
		t.Fatalf("IssueUploadCapability: got error %v, want nil", err)
	}
	return out
}

func holder(token string) application.CapabilityCaller {
	return application.CapabilityCaller{Token: token, IP: "192.0.2.7", UserAgent: "Uppy"}
}

// TestCapabilityMultipartRoundTrip runs a whole multipart upload through a
// capability: the record is the holder's, in their org, and every step is
// audited once under them, naming the capability.
func TestCapabilityMultipartRoundTrip(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	c := caller("org-1", domain.RoleMember)
	issued := f.issue(t, c, func(cmd *application.IssueCapabilityCommand) { cmd.PartSize = 6 << 20 })
	h := holder(issued.Token)
	data := pdfBytes(13 << 20)
	s, err := f.app.CapabilityUploads.Initiate(t.Context(), h, application.CapabilityInitiate{
		Filename: "Plan.pdf", Size: int64(len(data)), PartSize: domain.MinPartBytes})
	if err != nil {
		t.Fatalf("Initiate: %v", err)
	}
	if p := s.Plan(); p.Size != 6<<20 || p.Count != 3 || s.Path().String() != "org-1/workspace/doc/doc-1/Plan.pdf" {
		t.Fatalf("session: got %s with %+v, want the capability's part size (3 parts of 6 MiB) in org-1", s.Path(), p)
	}
	var refs []domain.PartRef
	for n := 1; n <= 2; n++ { // part 3 is sent after a "reload"
		u, err := f.app.CapabilityUploads.PartURL(t.Context(), h, s.ID(), n)
		if err != nil {
			t.Fatalf("PartURL(%d): %v", n, err)
		}
		etag, err := f.receive(t, u.URL, data[int64(n-1)*u.Size:int64(n)*u.Size])
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		refs = append(refs, domain.PartRef{Number: n, ETag: etag})
	}
	listed, err := f.app.CapabilityUploads.ListParts(t.Context(), h, s.ID())
	if err != nil || len(listed.Parts) != 2 || listed.Parts[1].ETag != refs[1].ETag {
		t.Fatalf("ListParts: got (%+v, %v), want parts 1 and 2 with their ETags", listed.Parts, err)
	}
	u, err := f.app.CapabilityUploads.PartURL(t.Context(), h, s.ID(), 3)
	if err != nil {
		t.Fatal(err)
	}
	etag, err := f.receive(t, u.URL, data[12<<20:])
	if err != nil {
		t.Fatal(err)
	}
	refs = append(refs, domain.PartRef{Number: 3, ETag: etag})
	rec, err := f.app.CapabilityUploads.Complete(t.Context(), h, s.ID(), refs)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if rec.UploadedBy() != c.Principal.UserID || rec.Content().SizeBytes != int64(len(data)) || rec.Content().ContentType != "application/pdf" {
		t.Errorf("record: got %+v, want the holder's, %d bytes of PDF", rec.Data(), len(data))
	}
	want := []domain.Action{domain.ActionUploadCapability, domain.ActionMultipartInitiate, domain.ActionMultipartPartURLs,
		domain.ActionMultipartPartURLs, domain.ActionMultipartListParts, domain.ActionMultipartPartURLs, domain.ActionUpload}
	evs := f.events(t, "org-1")
	var got []domain.Action
	for _, e := range evs {
		got = append(got, e.Action)
		if e.Actor.UserID != c.Principal.UserID || !e.Success {
			t.Errorf("event %s: got user %q success %v, want the holder's successful event", e.Action, e.Actor.UserID, e.Success)
		}
		if e.Action != domain.ActionUploadCapability && e.Metadata["capability_id"] != issued.Capability.ID() {
			t.Errorf("event %s: got metadata %v, want capability_id %s", e.Action, e.Metadata, issued.Capability.ID())
		}
	}
	if !equalActions(got, want) {
		t.Errorf("audit: got %v, want %v", got, want)
	}
}

// TestCapabilityRefusals: what a capability does not allow is refused
// with one audit event under its holder, and nothing is stored.
func TestCapabilityRefusals(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	c := caller("org-1", domain.RoleMember)
	named := f.issue(t, c, func(cmd *application.IssueCapabilityCommand) { cmd.Filename, cmd.MaxBytes = "a.pdf", 10<<20 })
	other := f.issue(t, c, func(cmd *application.IssueCapabilityCommand) { cmd.ObjectID = "doc-2" })
	s := f.initiate(t, c, "b.pdf", 6<<20) // a session of doc-1, started with the bearer token

	_, errName := f.app.CapabilityUploads.Initiate(t.Context(), holder(named.Token), application.CapabilityInitiate{Filename: "b.pdf", Size: 100})
	_, errSize := f.app.CapabilityUploads.Initiate(t.Context(), holder(named.Token), application.CapabilityInitiate{Filename: "a.pdf", Size: 11 << 20})
	_, errTarget := f.app.CapabilityUploads.PartURL(t.Context(), holder(other.Token), s.ID(), 1)
	errAbort := f.app.CapabilityUploads.Abort(t.Context(), holder(other.Token), s.ID())
	_, errBody := f.app.CapabilityUploads.Upload(t.Context(), holder(named.Token), "a.pdf", -1, bytes.NewReader(pdfBytes(10<<20+1)))
	for name, tc := range map[string]struct {
		err  error
		kind error
	}{
		"other name": {errName, domain.ErrForbidden}, "declared too large": {errSize, domain.ErrTooLarge},
		"other target's session": {errTarget, domain.ErrNotFound}, "abort other target's": {errAbort, domain.ErrNotFound},
		"body too large": {errBody, domain.ErrTooLarge},
	} {
		if !errors.Is(tc.err, tc.kind) {
			t.Errorf("%s: got %v, want %v", name, tc.err, tc.kind)
		}
	}
	if _, err := f.sessions.Get(t.Context(), s.ID()); err != nil {
		t.Errorf("session after a refused abort: got %v, want it kept", err)
	}
	var refused int
	for _, e := range f.events(t, "org-1") {
		if !e.Success {
			refused++
			if e.Actor.UserID != c.Principal.UserID || e.Metadata["capability_id"] == nil {
				t.Errorf("refusal %s: got user %q metadata %v, want the holder and the capability", e.Action, e.Actor.UserID, e.Metadata)
			}
		}
	}
	if refused != 5 {
		t.Errorf("refusals audited: got %d, want 5 (one per call)", refused)
	}
}

// TestCapabilityExpires: past its expiry a capability is refused, and the
// refusal is audited under its holder.
func TestCapabilityExpires(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	c := caller("org-1", domain.RoleMember)
	issued := f.issue(t, c, func(cmd *application.IssueCapabilityCommand) { cmd.ExpiresIn = time.Minute })
	f.clock.Advance(time.Minute)
	_, err := f.app.CapabilityUploads.Initiate(t.Context(), holder(issued.Token), application.CapabilityInitiate{Filename: "a.pdf", Size: 100})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "capability_expired" {
		t.Fatalf("Initiate after expiry: got %v, want capability_expired", err)
	}
	evs := f.events(t, "org-1")
	if last := evs[len(evs)-1]; last.Action != domain.ActionMultipartInitiate || last.Success {
		t.Errorf("last event: got %s success=%v, want a refused MULTIPART_INITIATE", last.Action, last.Success)
	}
}

// TestCapabilityIssueRefusals: a viewer gets none, nor does a size limit
// over the kind's, and a refusal hands out no token.
func TestCapabilityIssueRefusals(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	_, err := f.app.IssueUploadCapability.Handle(t.Context(), application.IssueCapabilityCommand{
		Caller: caller("org-1", domain.RoleViewer), System: "workspace", ObjectType: "doc", ObjectID: "doc-1"})
	if !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("viewer: got %v, want forbidden", err)
	}
	_, err = f.app.IssueUploadCapability.Handle(t.Context(), application.IssueCapabilityCommand{
		Caller: caller("org-1", domain.RoleMember), System: "accounting", ObjectType: "receipt", ObjectID: "r-1", MaxBytes: 1 << 40})
	if !errors.Is(err, domain.ErrTooLarge) {
		t.Errorf("max size over the kind's: got %v, want too large", err)
	}
	if n := len(f.events(t, "org-1")); n != 2 {
		t.Errorf("events: got %d, want 2 refusals", n)
	}
}

// TestCapabilityInvalidToken: a token the sealer does not open names no
// one, so it is refused before anything is looked up and writes no event.
func TestCapabilityInvalidToken(t *testing.T) {
	t.Parallel()
	sealer := mocks.NewUploadCapabilitySealer(t)
	sealer.EXPECT().Open("forged").Return(nil, domain.Errorf(domain.ErrForbidden, "capability_invalid", "no")).Once()
	f := newMPFixture(t, func(o *application.Options) { o.Capabilities.Sealer = sealer })
	err := f.app.CapabilityUploads.Abort(t.Context(), holder("forged"), "some-upload")
	if !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("Abort with a forged token: got %v, want forbidden", err)
	}
	if evs := f.events(t, "org-1"); len(evs) != 0 {
		t.Errorf("events: got %v, want none", evs)
	}
}

// TestInitiateProposedPartSize: a proposal is the size in force, a bad
// one is refused naming the sizes allowed, audited.
func TestInitiateProposedPartSize(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	cmd := application.InitiateMultipartCommand{Caller: c, System: "workspace", ObjectType: "doc", ObjectID: "doc-1",
		Filename: "a.pdf", Size: 20 << 20, PartSize: 7 << 20}
	s, err := f.app.InitiateMultipart.Handle(t.Context(), cmd)
	if err != nil || s.Plan().Size != 7<<20 || s.Plan().Count != 3 {
		t.Fatalf("Initiate with part_size 7 MiB: got (%+v, %v), want 3 parts of 7 MiB", s, err)
	}
	cmd.Filename, cmd.PartSize = "b.pdf", 4<<20
	_, err = f.app.InitiateMultipart.Handle(t.Context(), cmd)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "invalid_part_size" {
		t.Errorf("Initiate with part_size 4 MiB: got %v, want invalid_part_size", err)
	}
	evs := f.events(t, "org-1")
	if last := evs[len(evs)-1]; last.Success || last.Metadata["proposed_part_size"] != int64(4<<20) {
		t.Errorf("refusal event: got %+v, want a failure with proposed_part_size", last)
	}
}

// TestCapabilityPostKey: the key of a file posted whole is the path it
// will get, and the upload posted with that key is stored there; a name
// the capability does not allow is refused at once, audited as the
// upload's refusal.
func TestCapabilityPostKey(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	c := caller("org-1", domain.RoleMember)
	any := f.issue(t, c, nil)
	named := f.issue(t, c, func(cmd *application.IssueCapabilityCommand) { cmd.Filename = "a.pdf" })

	key, err := f.app.CapabilityUploads.PostKey(t.Context(), holder(any.Token), "my notes.pdf")
	if err != nil || key != "org-1/workspace/doc/doc-1/my_notes.pdf" {
		t.Fatalf("PostKey: got %q, %v, want org-1/workspace/doc/doc-1/my_notes.pdf", key, err)
	}
	rec, err := f.app.CapabilityUploads.Upload(t.Context(), holder(any.Token), key, -1, bytes.NewReader(pdfBytes(100)))
	if err != nil || rec.Path().String() != key {
		t.Fatalf("Upload keyed by the PostKey: got %v, %v, want the record at %s", rec, err, key)
	}
	if _, err := f.app.CapabilityUploads.PostKey(t.Context(), holder(named.Token), "b.pdf"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("PostKey of another name: got %v, want ErrForbidden", err)
	}
	var refusals []domain.Action
	for _, e := range f.events(t, "org-1") {
		if !e.Success {
			refusals = append(refusals, e.Action)
		}
	}
	if len(refusals) != 1 || refusals[0] != domain.ActionUpload {
		t.Errorf("refusals audited: got %v, want one UPLOAD", refusals)
	}
}
