package application_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

func TestUploadStoresBlobAndRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := pngBytes(5000)
	c := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(c, "My Receipt (1).png", body))

	if got, want := rec.Path().String(), "org-1/accounting/receipt/exp-1/My_Receipt_1_.png"; got != want {
		t.Errorf("path: got %q, want %q", got, want)
	}
	content := rec.Content()
	if content.ContentType != "image/png" || content.SizeBytes != 5000 || content.SHA256 != sha(body) {
		t.Errorf("content: got %+v, want image/png, 5000 bytes, sha %s", content, sha(body))
	}
	if rec.OriginalFilename() != "My Receipt (1).png" || rec.UploadedBy() != "user-member" || !rec.Visible() {
		t.Errorf("record: got %+v", rec.Data())
	}
	if got := f.blobBytes(t, content.BlobKey); !bytes.Equal(got, body) {
		t.Errorf("stored bytes differ from uploaded bytes")
	}
	ev := f.eventsSince(t, 0, 1)[0].Data()
	if ev.Action != domain.ActionUpload || !ev.Success || ev.FilePath != rec.Path().String() ||
		ev.RelatedObjectType != "receipt" || ev.RelatedObjectID != "exp-1" ||
		ev.Actor.IP != "192.0.2.7" || ev.Actor.UserAgent != "test-agent/1.0" || ev.Actor.Role != domain.RoleMember {
		t.Errorf("audit event: got %+v", ev)
	}
	if ev.Metadata["sha256"] != sha(body) || ev.Metadata["size_bytes"] != int64(5000) {
		t.Errorf("audit metadata: got %v", ev.Metadata)
	}
}

func TestUploadTimestampPrefix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cmd := receipt(caller("org-1", domain.RoleMember), "IMG 2024.png", pngBytes(100))
	cmd.AddTimestamp = true
	rec := f.mustUpload(t, cmd)
	if got, want := rec.Path().Filename(), "20260126_153045_IMG_2024.png"; got != want {
		t.Errorf("filename: got %q, want %q", got, want)
	}
}

// failingReader fails the test if anything reads it.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("the body was read although the declared size is over the limit")
	return 0, io.EOF
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	member := caller("org-1", domain.RoleMember)
	tests := []struct {
		name string
		cmd  func(t *testing.T) application.UploadCommand
		kind error
		code string
	}{
		{"viewer may not upload", func(*testing.T) application.UploadCommand {
			return receipt(caller("org-1", domain.RoleViewer), "a.png", pngBytes(10))
		}, domain.ErrForbidden, "forbidden"},
		{"auditor may not upload", func(*testing.T) application.UploadCommand {
			return receipt(caller("org-1", domain.RoleAuditor), "a.png", pngBytes(10))
		}, domain.ErrForbidden, "forbidden"},
		{"unknown system", func(*testing.T) application.UploadCommand {
			c := receipt(member, "a.png", pngBytes(10))
			c.System = "payroll"
			return c
		}, domain.ErrInvalid, "invalid_system"},
		{"type of another system", func(*testing.T) application.UploadCommand {
			c := receipt(member, "a.png", pngBytes(10))
			c.ObjectType = "doc"
			return c
		}, domain.ErrInvalid, "invalid_object_type"},
		{"bad object id", func(*testing.T) application.UploadCommand {
			c := receipt(member, "a.png", pngBytes(10))
			c.ObjectID = "../x"
			return c
		}, domain.ErrInvalid, "invalid_object_id"},
		{"filename with nothing usable", func(*testing.T) application.UploadCommand {
			return receipt(member, "???", pngBytes(10))
		}, domain.ErrInvalid, "invalid_filename"},
		{"empty file", func(*testing.T) application.UploadCommand {
			return receipt(member, "a.png", nil)
		}, domain.ErrInvalid, "empty_file"},
		{"declared size over the limit is refused unread", func(t *testing.T) application.UploadCommand {
			c := receipt(member, "a.png", nil)
			c.Body, c.DeclaredSize = failingReader{t}, 21<<20
			return c
		}, domain.ErrTooLarge, "file_too_large"},
		{"streamed size over the limit", func(*testing.T) application.UploadCommand {
			return receipt(member, "a.png", pngBytes(20<<20+1))
		}, domain.ErrTooLarge, "file_too_large"},
		{"text is not a receipt", func(*testing.T) application.UploadCommand {
			return receipt(member, "a.png", []byte("just some text pretending to be a png"))
		}, domain.ErrUnsupportedType, "unsupported_content_type"},
		{"html is not a pdf", func(*testing.T) application.UploadCommand {
			c := receipt(member, "a.pdf", []byte("<html><script>alert(1)</script></html>"))
			c.System, c.ObjectType = "workspace", "pdf"
			return c
		}, domain.ErrUnsupportedType, "unsupported_content_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			_, err := f.app.Upload.Handle(context.Background(), tc.cmd(t))
			wantKind(t, err, tc.kind, tc.code)
			if keys := f.blobKeys(t, ""); len(keys) != 0 {
				t.Errorf("blobs left behind: %v", keys)
			}
			if n := f.files.Len(); n != 0 {
				t.Errorf("records left behind: %d", n)
			}
			ev := f.eventsSince(t, 0, 1)[0].Data()
			if ev.Success || !strings.HasPrefix(ev.ErrorMessage, tc.code) {
				t.Errorf("audit: got success=%v message %q, want a failure starting %q", ev.Success, ev.ErrorMessage, tc.code)
			}
		})
	}
}

func TestUploadExistingPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	first := f.mustUpload(t, receipt(c, "r.png", pngBytes(100)))

	_, err := f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(200)))
	wantKind(t, err, domain.ErrExists, "file_exists")

	second := pdfBytes(300)
	cmd := receipt(c, "r.png", second)
	cmd.Overwrite = true
	rec := f.mustUpload(t, cmd)
	if rec.ID() != first.ID() || rec.Content().SHA256 != sha(second) || rec.Content().ContentType != "application/pdf" {
		t.Errorf("overwrite: got %+v, want same id with the new content", rec.Data())
	}
	keys := f.blobKeys(t, "org-1/")
	if len(keys) != 1 || keys[0] != rec.Content().BlobKey {
		t.Errorf("blobs after overwrite: got %v, want only %s", keys, rec.Content().BlobKey)
	}
	evs := f.eventsSince(t, 0, 3)
	if evs[1].Success() || evs[2].Action() != domain.ActionEdit || !evs[2].Success() {
		t.Errorf("audit: got %v/%v, %v/%v; want a failed UPLOAD then a successful EDIT",
			evs[1].Action(), evs[1].Success(), evs[2].Action(), evs[2].Success())
	}
}

func TestUploadOverDeletedFileNeedsOverwrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(c, "r.png", pngBytes(100)))
	if _, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: c, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	_, err := f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(100)))
	wantKind(t, err, domain.ErrExists, "deleted_file_at_path")
}

// TestOnlyAnAdminReplacesADeletedFile overwrites a soft-deleted file: a
// member may not (403, the bytes stay restorable), an admin may.
func TestOnlyAnAdminReplacesADeletedFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	precious := pngBytes(100)
	rec := f.mustUpload(t, receipt(member, "r.png", precious))
	if _, err := f.app.Delete.Handle(t.Context(), application.DeleteCommand{Caller: member, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	junk := receipt(member, "r.png", pngBytes(50))
	junk.Overwrite = true
	_, err := f.app.Upload.Handle(t.Context(), junk)
	wantKind(t, err, domain.ErrForbidden, "forbidden")
	if keys := f.blobKeys(t, "org-1/"); len(keys) != 1 || string(f.blobBytes(t, keys[0])) != string(precious) {
		t.Fatalf("after the member's overwrite: blobs %v, want the deleted file's intact", keys)
	}
	restored, err := f.app.Restore.Handle(t.Context(), application.RestoreCommand{Caller: admin, FilePath: rec.Path().String()})
	if err != nil || restored.Content().SHA256 != sha(precious) {
		t.Fatalf("restore: got %v, %v; want the original bytes", restored, err)
	}
	if _, err := f.app.Delete.Handle(t.Context(), application.DeleteCommand{Caller: member, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	byAdmin := receipt(admin, "r.png", pngBytes(50))
	byAdmin.Overwrite = true
	if got := f.mustUpload(t, byAdmin); got.Content().SizeBytes != 50 || got.Deleted() {
		t.Errorf("admin's overwrite: got %+v", got.Data())
	}
}

func TestUploadAfterHardDeleteReusesPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := caller("org-1", domain.RoleAdmin)
	rec := f.mustUpload(t, receipt(admin, "r.png", pngBytes(100)))
	if _, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: admin, FilePath: rec.Path().String(), Hard: true}); err != nil {
		t.Fatal(err)
	}
	again := f.mustUpload(t, receipt(admin, "r.png", pngBytes(150)))
	if !again.Visible() || again.Content().SizeBytes != 150 {
		t.Errorf("re-upload after hard delete: got %+v", again.Data())
	}
}
