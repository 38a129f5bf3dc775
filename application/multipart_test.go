package application_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TestMultipartRoundTrip uploads 12 MiB in three parts and completes it:
// the record holds the sniffed type, the real size and the SHA-256, the
// session is gone, and each step wrote its audit event.
func TestMultipartRoundTrip(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	data := pdfBytes(12 << 20)
	s := f.initiate(t, c, "Big Report.pdf", int64(len(data)))
	if got := s.Plan(); got.Count != 3 || got.Size != domain.MinPartBytes {
		t.Fatalf("plan: got %+v, want 3 parts of %d bytes", got, domain.MinPartBytes)
	}
	if s.Path().String() != "org-1/workspace/doc/doc-1/Big_Report.pdf" {
		t.Errorf("path: got %s, want the sanitized name in the caller's org", s.Path())
	}
	refs := f.sendParts(t, c, s, data)
	rec, err := f.complete(t, c, s, refs)
	if err != nil {
		t.Fatalf("CompleteMultipart: got error %v, want nil", err)
	}
	sum := sha256.Sum256(data)
	got := rec.Content()
	if got.ContentType != "application/pdf" || got.SizeBytes != int64(len(data)) || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("content: got %+v, want application/pdf, %d bytes, sha256 %x", got, len(data), sum)
	}
	if got.BlobKey != domain.BlobKeyFor(s.Path(), s.UploadID()) || !rec.Visible() || rec.OriginalFilename() != "Big Report.pdf" {
		t.Errorf("record: got %+v, want a visible record at the session's blob key", rec.Data())
	}
	if _, err := f.sessions.Get(t.Context(), s.ID()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("session after complete: got %v, want it deleted", err)
	}
	var actions []domain.Action
	for _, e := range f.events(t, "org-1") {
		actions = append(actions, e.Action)
		if !e.Success || e.FilePath != s.Path().String() {
			t.Errorf("event %s: got success=%v path=%q, want a successful event on %s", e.Action, e.Success, e.FilePath, s.Path())
		}
	}
	want := []domain.Action{domain.ActionMultipartInitiate, domain.ActionMultipartPartURLs, domain.ActionUpload}
	if !equalActions(actions, want) {
		t.Errorf("audit: got %v, want %v", actions, want)
	}
}

func equalActions(a, b []domain.Action) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMultipartInitiateRefusals checks what is refused before any byte
// is sent, and that a refusal leaves no reservation or store upload.
func TestMultipartInitiateRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cmd  application.InitiateMultipartCommand
		kind error
		code string
	}{
		{"viewer", application.InitiateMultipartCommand{Caller: caller("org-1", domain.RoleViewer)}, domain.ErrForbidden, "forbidden"},
		{"auditor", application.InitiateMultipartCommand{Caller: caller("org-1", domain.RoleAuditor)}, domain.ErrForbidden, "forbidden"},
		{"empty", application.InitiateMultipartCommand{Size: 0}, domain.ErrInvalid, "invalid_size"},
		{"negative", application.InitiateMultipartCommand{Size: -5}, domain.ErrInvalid, "invalid_size"},
		{"too large for the kind", application.InitiateMultipartCommand{System: "accounting", ObjectType: "receipt",
			Size: 21 << 20}, domain.ErrTooLarge, "file_too_large"},
		{"declared type refused", application.InitiateMultipartCommand{System: "accounting", ObjectType: "receipt",
			ContentType: "application/zip"}, domain.ErrUnsupportedType, "unsupported_content_type"},
		{"declared unknown type refused", application.InitiateMultipartCommand{ContentType: "application/x-evil"},
			domain.ErrUnsupportedType, "unsupported_content_type"},
		{"unknown system", application.InitiateMultipartCommand{System: "payroll"}, domain.ErrInvalid, "invalid_system"},
		{"bad filename", application.InitiateMultipartCommand{Filename: "..."}, domain.ErrInvalid, "invalid_filename"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newMPFixture(t)
			cmd := application.InitiateMultipartCommand{Caller: caller("org-1", domain.RoleMember),
				System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Size: 6 << 20}
			if tt.cmd.Caller.Principal.Role != "" {
				cmd.Caller = tt.cmd.Caller
			}
			if tt.cmd.System != "" {
				cmd.System, cmd.ObjectType = tt.cmd.System, tt.cmd.ObjectType
			}
			if tt.cmd.Size != 0 || tt.name == "empty" {
				cmd.Size = tt.cmd.Size
			}
			if tt.cmd.Filename != "" {
				cmd.Filename = tt.cmd.Filename
			}
			cmd.ContentType = tt.cmd.ContentType
			_, err := f.app.InitiateMultipart.Handle(t.Context(), cmd)
			wantDomainErr(t, err, tt.kind, tt.code)
			if recs, _ := f.files.List(t.Context(), application.ListQuery{OrgID: "org-1", Limit: 10, IncludeDeleted: true}); len(recs) != 0 {
				t.Errorf("records: got %d, want none", len(recs))
			}
			if ups, _ := f.blobs.ListMultipart(t.Context(), "", "", "", 10); len(ups) != 0 {
				t.Errorf("store uploads: got %v, want none", ups)
			}
			evs := f.events(t, "org-1")
			if len(evs) != 1 || evs[0].Success || evs[0].Action != domain.ActionMultipartInitiate {
				t.Errorf("audit: got %+v, want one failed MULTIPART_INITIATE", evs)
			}
		})
	}
}

// wantDomainErr fails unless err matches kind and carries code.
func wantDomainErr(t *testing.T, err, kind error, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.Is(err, kind) || !errors.As(err, &de) || de.Code != code {
		t.Errorf("got error %v, want %v with code %q", err, kind, code)
	}
}

// TestMultipartSessionAccess checks who may continue a session: its
// creator and the org's admins; anyone else learns of no such upload.
func TestMultipartSessionAccess(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	owner := caller("org-1", domain.RoleMember)
	s := f.initiate(t, owner, "a.pdf", 6<<20)
	other := owner
	other.Principal.UserID = "someone-else"
	for name, c := range map[string]application.Caller{
		"another org's admin": caller("org-2", domain.RoleAdmin),
		"another member":      other,
	} {
		_, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: []int{1}})
		wantDomainErr(t, err, domain.ErrNotFound, "upload_not_found")
		_, err = f.complete(t, c, s, nil)
		wantDomainErr(t, err, domain.ErrNotFound, "upload_not_found")
		err = f.app.AbortMultipart.Handle(t.Context(), application.AbortMultipartCommand{Caller: c, UploadID: s.ID()})
		wantDomainErr(t, err, domain.ErrNotFound, "upload_not_found")
		_ = name
	}
	_, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{
		Caller: caller("org-1", domain.RoleAdmin), UploadID: s.ID(), Parts: []int{2, 1}})
	if err != nil {
		t.Errorf("the org's admin asking for part URLs: got %v, want nil", err)
	}
	_, err = f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: owner, UploadID: "no-such-id", Parts: []int{1}})
	wantDomainErr(t, err, domain.ErrNotFound, "upload_not_found")
}

// TestMultipartPartNumbers checks the part numbers a client may ask for
// and the expiry of the URLs, bounded by the session's.
func TestMultipartPartNumbers(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	c := caller("org-1", domain.RoleMember)
	s := f.initiate(t, c, "a.pdf", 6<<20) // two parts
	for _, parts := range [][]int{nil, {0}, {3}, {1, -1}, make([]int, application.MaxPartURLsPerRequest+1)} {
		_, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: parts})
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("parts %v: got %v, want ErrInvalid", parts[:min(len(parts), 3)], err)
		}
	}
	f.clock.Advance(24*time.Hour - 10*time.Minute)
	urls, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: []int{2}})
	if err != nil || len(urls) != 1 || !urls[0].ExpiresAt.Equal(s.ExpiresAt()) || urls[0].Size != 1<<20 {
		t.Fatalf("URLs near the session's end: got (%+v, %v), want part 2 (1 MiB) expiring with the session at %v", urls, err, s.ExpiresAt())
	}
	f.clock.Advance(10 * time.Minute)
	_, err = f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: c, UploadID: s.ID(), Parts: []int{1}})
	wantDomainErr(t, err, domain.ErrNotFound, "upload_expired")
}
