package application_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/domain/ziptest"
)

// brokenZip is sniffed as application/zip but is no readable archive.
func brokenZip(n int) []byte { return append([]byte("PK\x03\x04"), make([]byte, n)...) }

// untouchable is a body that fails the test if it is read.
type untouchable struct{ t *testing.T }

func (u untouchable) Read([]byte) (int, error) {
	u.t.Error("the body was read, want the name refused first")
	return 0, io.EOF
}

// wantOneRefusal checks that exactly one audit event was written since
// before, a failure of action whose message carries code.
func wantOneRefusal(t *testing.T, evs []*domain.AuditEvent, action domain.Action, code string) {
	t.Helper()
	if len(evs) != 1 {
		t.Fatalf("audit events: got %d, want 1", len(evs))
	}
	d := evs[0].Data()
	if d.Action != action || d.Success || !strings.HasPrefix(d.ErrorMessage, code+": ") {
		t.Errorf("audit event: got %s success=%v %q, want a failed %s with %s", d.Action, d.Success, d.ErrorMessage, action, code)
	}
}

// TestUploadAppliesTheArchiveRule sends app-builder files to Upload: the
// kind's rule refuses a name without .zip before the body is read (400)
// and a stored body that is no readable zip (415), each with one audit
// event and nothing left behind.
func TestUploadAppliesTheArchiveRule(t *testing.T) {
	t.Parallel()
	member := caller("org-1", domain.RoleMember)
	appFile := func(name string, body io.Reader) application.UploadCommand {
		return application.UploadCommand{Caller: member, System: "app-builder", ObjectType: "build",
			ObjectID: "app-1", Filename: name, Body: body, DeclaredSize: -1}
	}
	tests := []struct {
		name string
		cmd  func(t *testing.T) application.UploadCommand
		kind error
		code string
	}{
		{"a name without .zip", func(t *testing.T) application.UploadCommand {
			return appFile("x.txt", untouchable{t})
		}, domain.ErrInvalid, "zip_extension_required"},
		{"a broken archive", func(*testing.T) application.UploadCommand {
			return appFile("app.zip", bytes.NewReader(brokenZip(200)))
		}, domain.ErrUnsupportedType, "not_a_zip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			_, err := f.app.Upload.Handle(context.Background(), tc.cmd(t))
			wantKind(t, err, tc.kind, tc.code)
			wantOneRefusal(t, f.eventsSince(t, 0, 1), domain.ActionUpload, tc.code)
			if keys := f.blobKeys(t, ""); len(keys) != 0 || f.files.Len() != 0 {
				t.Errorf("left behind: blobs %v, %d records; want none", keys, f.files.Len())
			}
		})
	}
	t.Run("a good archive", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		rec := f.mustUpload(t, appFile("app.ZIP", bytes.NewReader(ziptest.Of("index.html"))))
		if ct := rec.Content().ContentType; ct != "application/zip" {
			t.Errorf("content type: got %s, want application/zip", ct)
		}
	})
}

// TestMultipartAppliesTheArchiveRule: initiate refuses an app-builder
// name without .zip, complete refuses an assembled file that is no
// readable zip; each writes one failed audit event.
func TestMultipartAppliesTheArchiveRule(t *testing.T) {
	t.Parallel()
	member := caller("org-1", domain.RoleMember)
	initiate := func(f *mpFixture, name string, size int64) (*domain.UploadSession, error) {
		return f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{
			Caller: member, System: "app-builder", ObjectType: "source", ObjectID: "app-1", Filename: name, Size: size})
	}

	t.Run("initiate: a name without .zip", func(t *testing.T) {
		t.Parallel()
		f := newMPFixture(t)
		_, err := initiate(f, "x.txt", 100)
		wantKind(t, err, domain.ErrInvalid, "zip_extension_required")
		wantOneRefusal(t, f.audit.Events(), domain.ActionMultipartInitiate, "zip_extension_required")
		if f.files.Len() != 0 {
			t.Errorf("records: got %d, want no reservation", f.files.Len())
		}
	})

	t.Run("complete: a broken archive", func(t *testing.T) {
		t.Parallel()
		f := newMPFixture(t)
		data := brokenZip(300)
		s, err := initiate(f, "app.zip", int64(len(data)))
		if err != nil {
			t.Fatalf("initiate: %v", err)
		}
		refs := f.sendParts(t, member, s, data)
		before := len(f.audit.Events())
		_, err = f.complete(t, member, s, refs)
		wantKind(t, err, domain.ErrUnsupportedType, "not_a_zip")
		wantOneRefusal(t, f.audit.Events()[before:], domain.ActionUpload, "not_a_zip")
		f.wantNothingLeft(t, s)
	})

	t.Run("complete: a good archive", func(t *testing.T) {
		t.Parallel()
		f := newMPFixture(t)
		data := ziptest.Of("index.html")
		s, err := initiate(f, "app.zip", int64(len(data)))
		if err != nil {
			t.Fatalf("initiate: %v", err)
		}
		if _, err := f.complete(t, member, s, f.sendParts(t, member, s, data)); err != nil {
			t.Errorf("complete: got %v, want nil", err)
		}
	})
}

// TestReceiptUploadIsImagesAndPDF configures a receipt rule that allows
// anything: a receipt upload (Receipt) still takes only images and PDF,
// and its refusal is audited; the same file as a plain upload of the kind
// is accepted.
func TestReceiptUploadIsImagesAndPDF(t *testing.T) {
	t.Parallel()
	receiptKind := domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}
	f := newFixture(t, func(o *application.Options) {
		o.ContentRules = domain.DefaultContentRules()
		o.ContentRules[receiptKind] = domain.ContentRule{MaxBytes: 1 << 20, Allowed: []string{"*/*"}}
	})
	member := caller("org-1", domain.RoleMember)
	text := []byte("just some text, no image")

	cmd := receipt(member, "notes.txt", text)
	cmd.Receipt = true
	_, err := f.app.Upload.Handle(context.Background(), cmd)
	wantKind(t, err, domain.ErrUnsupportedType, "unsupported_content_type")
	wantOneRefusal(t, f.eventsSince(t, 0, 1), domain.ActionUpload, "unsupported_content_type")
	if f.files.Len() != 0 {
		t.Errorf("records: got %d, want none", f.files.Len())
	}

	for _, tc := range []struct {
		name string
		body []byte
	}{{"scan.png", pngBytes(100)}, {"scan.pdf", pdfBytes(100)}} {
		cmd := receipt(member, tc.name, tc.body)
		cmd.Receipt = true
		if _, err := f.app.Upload.Handle(context.Background(), cmd); err != nil {
			t.Errorf("receipt %s: got %v, want it stored", tc.name, err)
		}
	}
	if _, err := f.app.Upload.Handle(context.Background(), receipt(member, "notes.txt", text)); err != nil {
		t.Errorf("plain upload of the receipt kind: got %v, want the configured */* to allow it", err)
	}
}

// TestArchiveCheckReadsTheStoredBytes makes the store fail while the
// archive is checked: the failure keeps its own error (503, not 415).
func TestArchiveCheckReadsTheStoredBytes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.faultyBlobs.failOpen = true
	_, err := f.app.Upload.Handle(context.Background(), application.UploadCommand{
		Caller: caller("org-1", domain.RoleMember), System: "app-builder", ObjectType: "source", ObjectID: "app-1",
		Filename: "app.zip", Body: bytes.NewReader(ziptest.Of("a")), DeclaredSize: -1})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("store down during the archive check: got %v, want ErrUnavailable", err)
	}
}
