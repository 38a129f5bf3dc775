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

func withQuota(q domain.Quota) func(*application.Options) {
	return func(o *application.Options) { o.Quotas = domain.Quotas{Default: q} }
}

// requireNothingStored fails unless org holds no record and no blob.
func (f *fixture) requireNothingStored(t *testing.T, org, prefix string, wantRecords int) {
	t.Helper()
	recs, err := f.files.List(context.Background(), application.ListQuery{OrgID: org, Limit: 100, IncludeDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != wantRecords {
		t.Errorf("records of %s: got %d, want %d", org, len(recs), wantRecords)
	}
	if keys := f.blobKeys(t, prefix); len(keys) != wantRecords {
		t.Errorf("blobs under %s: got %v, want %d", prefix, keys, wantRecords)
	}
}

func TestUploadQuotaDeclaredSize(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withQuota(domain.Quota{Bytes: 10000, Files: 100}))
	c := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(c, "a.png", pngBytes(6000)))
	before := len(f.audit.Events())

	cmd := receipt(c, "b.png", nil)
	cmd.Body, cmd.DeclaredSize = failingReader{t}, 5000 // refused before a byte is read
	_, err := f.app.Upload.Handle(context.Background(), cmd)
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	for _, s := range []string{"org-1", "9.8 KiB quota", "used 5.9 KiB", "1 files of 100"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err.Error(), s)
		}
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionUpload || ev.Success || ev.FilePath != "org-1/accounting/receipt/exp-1/b.png" {
		t.Errorf("audit event: got %+v, want a failed UPLOAD of b.png", ev)
	}
	f.requireNothingStored(t, "org-1", "org-1/", 1)

	// What fits still goes in, and another org has its own quota.
	f.mustUpload(t, receipt(c, "c.png", pngBytes(4000)))
	f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "d.png", pngBytes(9000)))
}

func TestUploadQuotaWhileStreaming(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withQuota(domain.Quota{Bytes: 10000}))
	c := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(c, "a.png", pngBytes(6000)))
	before := len(f.audit.Events())
	_, err := f.app.Upload.Handle(context.Background(), receipt(c, "b.png", pngBytes(4001))) // no declared size
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	f.eventsSince(t, before, 1)
	f.requireNothingStored(t, "org-1", "org-1/", 1)
	// The body is not read much past what is left (a 1 MiB body, 4000 bytes left).
	big := &countingReader{r: bytes.NewReader(pngBytes(1 << 20))}
	cmd := receipt(c, "b.png", nil)
	cmd.Body = big
	_, err = f.app.Upload.Handle(context.Background(), cmd)
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	if big.n > 4000+64<<10 {
		t.Errorf("read %d bytes of a body over the quota, want it cut at about 4000", big.n)
	}
	f.requireNothingStored(t, "org-1", "org-1/", 1)
	f.mustUpload(t, receipt(c, "b.png", pngBytes(4000))) // exactly full
	used, _, err := f.files.OrgUsage(context.Background(), "org-1", f.clock.Now())
	if err != nil || used != (domain.Usage{Bytes: 10000, Files: 2}) {
		t.Errorf("usage: got %v, %v; want 10000 bytes, 2 files", used, err)
	}
}

func TestUploadQuotaFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withQuota(domain.Quota{Files: 2}))
	c := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(c, "a.png", pngBytes(100)))
	f.mustUpload(t, receipt(c, "b.png", pngBytes(100)))
	_, err := f.app.Upload.Handle(context.Background(), receipt(c, "c.png", pngBytes(100)))
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	// An overwrite adds no file; a soft-deleted file still counts.
	over := receipt(c, "a.png", pngBytes(300))
	over.Overwrite = true
	f.mustUpload(t, over)
	if _, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: c,
		FilePath: "org-1/accounting/receipt/exp-1/b.png"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.app.Upload.Handle(context.Background(), receipt(c, "c.png", pngBytes(100)))
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
}

func TestUploadQuotaOverwriteReplaces(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withQuota(domain.Quota{Bytes: 10000}))
	c := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(c, "a.png", pngBytes(9000)))
	over := receipt(c, "a.png", pngBytes(9500)) // replaces 9000: fits
	over.Overwrite, over.DeclaredSize = true, 9500
	f.mustUpload(t, over)
	over = receipt(c, "a.png", pngBytes(10001))
	over.Overwrite = true
	_, err := f.app.Upload.Handle(context.Background(), over)
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	p, err := domain.ParseStoragePath("org-1/accounting/receipt/exp-1/a.png")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.files.Get(context.Background(), p)
	if err != nil || rec.Content().SizeBytes != 9500 {
		t.Errorf("after a refused overwrite: got %v, %v; want the 9500-byte file kept", rec, err)
	}
}

// TestUploadQuotaOverridesAndInFlight: per-org overrides apply, and a
// reservation in flight claims its declared size.
func TestUploadQuotaOverridesAndInFlight(t *testing.T) {
	t.Parallel()
	mf := newMPFixture(t, func(o *application.Options) {
		o.Quotas = domain.Quotas{Default: domain.Quota{Bytes: 1}, Overrides: map[string]domain.Quota{"org-1": {Bytes: 3 * domain.MinPartBytes}}}
	})
	c := caller("org-1", domain.RoleMember)
	mf.initiate(t, c, "a.pdf", 2*domain.MinPartBytes) // in flight: claims its size
	_, err := mf.app.InitiateMultipart.Handle(context.Background(), application.InitiateMultipartCommand{Caller: c,
		System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "b.pdf", Size: 2 * domain.MinPartBytes})
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	if !strings.Contains(err.Error(), "uploads in progress hold 10 MiB more") {
		t.Errorf("message %q does not name what is in flight", err.Error())
	}
	mf.initiate(t, c, "c.pdf", domain.MinPartBytes) // the rest fits
	_, err = mf.app.InitiateMultipart.Handle(context.Background(), application.InitiateMultipartCommand{Caller: caller("org-2", domain.RoleMember),
		System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "b.pdf", Size: 2})
	wantKind(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded) // the default of 1 byte
}

func TestGetUsage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withQuota(domain.Quota{Bytes: 1 << 30, Files: 1000}))
	m := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(m, "a.png", pngBytes(100)))
	f.mustUpload(t, receipt(m, "b.png", pngBytes(50)))
	f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "c.png", pngBytes(70)))
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleAuditor} {
		before := len(f.audit.Events())
		r, err := f.app.GetUsage.Handle(context.Background(), caller("org-1", role))
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.UsageEntry{{OrgID: "org-1", System: "accounting", ObjectType: "receipt", Usage: domain.Usage{Bytes: 150, Files: 2}}}
		if len(r.Entries) != 1 || r.Entries[0] != want[0] || r.Total != want[0].Usage || r.Quota.Files != 1000 {
			t.Errorf("%s: usage %+v, want %+v", role, r, want)
		}
		if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Action != domain.ActionUsageQuery || !ev.Success {
			t.Errorf("audit event: got %+v, want a USAGE_QUERY", ev)
		}
	}
	for _, role := range []domain.Role{domain.RoleMember, domain.RoleViewer} {
		before := len(f.audit.Events())
		_, err := f.app.GetUsage.Handle(context.Background(), caller("org-1", role))
		wantKind(t, err, domain.ErrForbidden, "forbidden")
		if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Success {
			t.Errorf("a refused usage query audited as a success")
		}
	}
}

// countingReader counts what was read of r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestUploadQuotaCheckedAtCommit: two uploads without a declared size
// that each fit when they began cannot both commit past the quota.
func TestUploadQuotaCheckedAtCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withQuota(domain.Quota{Bytes: 10000}))
	c := caller("org-1", domain.RoleMember)
	body := pngBytes(6000)
	g := &gatedReader{open: bytes.NewReader(body[:4000]), rest: bytes.NewReader(body[4000:]),
		reached: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		cmd := receipt(c, "a.png", nil)
		cmd.Body = g
		_, err := f.app.Upload.Handle(context.Background(), cmd)
		done <- err
	}()
	<-g.reached // a.png streams, reserved with nothing declared
	f.mustUpload(t, receipt(c, "b.png", pngBytes(6000)))
	close(g.release)
	wantKind(t, <-done, domain.ErrTooLarge, domain.CodeQuotaExceeded)
	f.requireNothingStored(t, "org-1", "org-1/", 1)
}
