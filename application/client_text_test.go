package application_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

// TestClientTextIsRefused: NUL or invalid UTF-8 in any client string a
// use case takes is domain.ErrInvalid before it is used, and the call
// still writes its one audit event.
func TestClientTextIsRefused(t *testing.T) {
	t.Parallel()
	member, admin := caller("acme", domain.RoleMember), caller("acme", domain.RoleAdmin)
	for _, bad := range []string{"\x00", "\xff"} {
		calls := []struct {
			name string
			code string
			call func(f *mpFixture) error
		}{
			{"upload filename", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.Upload.Handle(t.Context(), application.UploadCommand{Caller: member, System: "workspace",
					ObjectType: "doc", ObjectID: "d1", Filename: "a" + bad + ".png", Body: bytes.NewReader(pngBytes(64)), DeclaredSize: -1})
				return err
			}},
			{"upload object id", "invalid_object_id", func(f *mpFixture) error {
				_, err := f.app.Upload.Handle(t.Context(), application.UploadCommand{Caller: member, System: "workspace",
					ObjectType: "doc", ObjectID: "d" + bad, Filename: "a.png", Body: bytes.NewReader(pngBytes(64)), DeclaredSize: -1})
				return err
			}},
			{"initiate filename", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{Caller: member,
					System: "workspace", ObjectType: "doc", ObjectID: "d1", Filename: "a" + bad + ".pdf", Size: 100})
				return err
			}},
			{"initiate content type", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{Caller: member,
					System: "communications", ObjectType: "email-attachment", ObjectID: "d1", Filename: "a.bin", Size: 100,
					ContentType: "application/x" + bad})
				return err
			}},
			{"part urls upload id", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: member,
					UploadID: "u" + bad, Parts: []int{1}})
				return err
			}},
			{"complete upload id", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.CompleteMultipart.Handle(t.Context(), application.CompleteMultipartCommand{Caller: member,
					UploadID: "u" + bad})
				return err
			}},
			{"abort upload id", "invalid_text", func(f *mpFixture) error {
				return f.app.AbortMultipart.Handle(t.Context(), application.AbortMultipartCommand{Caller: member, UploadID: "u" + bad})
			}},
			{"list cursor", "invalid_cursor", func(f *mpFixture) error {
				_, err := f.app.List.Handle(t.Context(), application.ListFilesQuery{Caller: member,
					Cursor: base64.RawURLEncoding.EncodeToString([]byte("acme/workspace/doc/d1/a" + bad + ".png"))})
				return err
			}},
			{"audit user_id", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.AuditLogs.Handle(t.Context(), application.AuditLogsQuery{Caller: admin, UserID: "u" + bad})
				return err
			}},
			{"audit file_path", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.AuditLogs.Handle(t.Context(), application.AuditLogsQuery{Caller: admin, FilePath: "acme/" + bad})
				return err
			}},
			{"audit related_object_type", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.AuditLogs.Handle(t.Context(), application.AuditLogsQuery{Caller: admin, RelatedObjectType: bad})
				return err
			}},
			{"audit action_type", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.AuditLogs.Handle(t.Context(), application.AuditLogsQuery{Caller: admin, ActionType: "UPLOAD" + bad})
				return err
			}},
			{"audit related_object_id", "invalid_text", func(f *mpFixture) error {
				_, err := f.app.AuditLogs.Handle(t.Context(), application.AuditLogsQuery{Caller: admin, RelatedObjectID: bad})
				return err
			}},
		}
		for _, c := range calls {
			t.Run(c.name+"/"+map[string]string{"\x00": "NUL", "\xff": "invalid UTF-8"}[bad], func(t *testing.T) {
				t.Parallel()
				f := newMPFixture(t)
				err := c.call(f)
				var de *domain.Error
				if !errors.Is(err, domain.ErrInvalid) || !errors.As(err, &de) || de.Code != c.code {
					t.Fatalf("got %v, want ErrInvalid %s", err, c.code)
				}
				if evs := f.audit.Events(); len(evs) != 1 || evs[0].Success() {
					t.Errorf("got %d events, want one failed event", len(evs))
				}
				if n := f.files.Len(); n != 0 {
					t.Errorf("got %d records, want none", n)
				}
			})
		}
	}
}

// TestCompleteRefusesETagsThatAreNotText: a part's ETag is the client's
// text too; it is refused before the session changes or the store sees it.
func TestCompleteRefusesETagsThatAreNotText(t *testing.T) {
	t.Parallel()
	f := newMPFixture(t)
	member := caller("acme", domain.RoleMember)
	s := f.initiate(t, member, "a.pdf", 100)
	_, err := f.app.CompleteMultipart.Handle(t.Context(), application.CompleteMultipartCommand{Caller: member,
		UploadID: s.ID(), Parts: []domain.PartRef{{Number: 1, ETag: "e\x00"}}})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "invalid_text" {
		t.Fatalf("got %v, want invalid_text", err)
	}
	if evs := f.audit.Events(); len(evs) != 2 || evs[1].Success() {
		t.Errorf("got %d events, want the initiate's and one failed complete", len(evs))
	}
	// The session is still open: a corrected list may follow.
	if _, err := f.app.MultipartPartURLs.Handle(t.Context(), application.PartURLsCommand{Caller: member,
		UploadID: s.ID(), Parts: []int{1}}); err != nil {
		t.Errorf("part URLs after the refusal: %v, want the session still open", err)
	}
}
