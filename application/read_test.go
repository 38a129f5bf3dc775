package application_test

import (
	"context"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

func TestSignURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	member := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	path := rec.Path().String()

	got, err := f.app.SignURL.Handle(ctx, application.SignURLQuery{Caller: caller("org-1", domain.RoleViewer), FilePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if got.ExpiresIn != 10*time.Minute || !got.ExpiresAt.Equal(f.clock.Now().Add(10*time.Minute)) {
		t.Errorf("expiry: got %v at %v, want the receipt default of 10m", got.ExpiresIn, got.ExpiresAt)
	}
	req := f.signer.reqs[0]
	if req.Key != rec.Content().BlobKey || req.Disposition != domain.DispositionInline ||
		req.ContentType != "image/png" || req.Filename != "r.png" || req.OrgID != "org-1" || req.Path != path {
		t.Errorf("sign request: got %+v", req)
	}
	ev := f.audit.Events()[1].Data()
	if ev.Action != domain.ActionSignedURLGenerated || !ev.Success || ev.Metadata["expires_in"] != int64(600) || ev.Metadata["disposition"] != "inline" {
		t.Errorf("audit: got %+v", ev)
	}

	other := f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "r.png", pngBytes(100)))
	tests := []struct {
		name string
		q    application.SignURLQuery
		kind error
		code string
	}{
		{"another org's file is not found", application.SignURLQuery{Caller: member, FilePath: other.Path().String()}, domain.ErrNotFound, "not_found"},
		{"missing file", application.SignURLQuery{Caller: member, FilePath: "org-1/accounting/receipt/exp-1/none.png"}, domain.ErrNotFound, "not_found"},
		{"traversal", application.SignURLQuery{Caller: member, FilePath: "org-1/accounting/receipt/../../org-2/x.png"}, domain.ErrInvalid, "invalid_path"},
		{"expiry below 60s", application.SignURLQuery{Caller: member, FilePath: path, ExpiresIn: new(59 * time.Second)}, domain.ErrInvalid, "invalid_expires_in"},
		{"expiry above 900s", application.SignURLQuery{Caller: member, FilePath: path, ExpiresIn: new(901 * time.Second)}, domain.ErrInvalid, "invalid_expires_in"},
		{"bad disposition", application.SignURLQuery{Caller: member, FilePath: path, Disposition: "download"}, domain.ErrInvalid, "invalid_disposition"},
		{"auditor may not sign", application.SignURLQuery{Caller: caller("org-1", domain.RoleAuditor), FilePath: path}, domain.ErrForbidden, "forbidden"},
	}
	for _, tc := range tests {
		before := len(f.audit.Events())
		_, err := f.app.SignURL.Handle(ctx, tc.q)
		if err == nil {
			t.Errorf("%s: got a URL, want an error", tc.name)
			continue
		}
		wantKind(t, err, tc.kind, tc.code)
		if ev := f.eventsSince(t, before, 1)[0]; ev.Success() {
			t.Errorf("%s: audit: got success, want failure", tc.name)
		}
	}

	got, err = f.app.SignURL.Handle(ctx, application.SignURLQuery{Caller: member, FilePath: path, ExpiresIn: new(60 * time.Second), Disposition: "attachment"})
	if err != nil || got.ExpiresIn != time.Minute {
		t.Errorf("explicit expiry: got %v, %v", got, err)
	}
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: path}); err != nil {
		t.Fatal(err)
	}
	_, err = f.app.SignURL.Handle(ctx, application.SignURLQuery{Caller: member, FilePath: path})
	wantKind(t, err, domain.ErrNotFound, "not_found")
}

func TestReadsFailWithoutAuditTrail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	path := f.mustUpload(t, receipt(c, "r.png", pngBytes(100))).Path().String()
	f.faultyAudit.fail = true
	if u, err := f.app.SignURL.Handle(ctx, application.SignURLQuery{Caller: c, FilePath: path}); err == nil || u.URL != "" {
		t.Errorf("signed URL without audit: got %q, %v; want no URL and an error", u.URL, err)
	} else {
		wantKind(t, err, domain.ErrUnavailable, "audit_unavailable")
	}
	rec, err := f.app.Metadata.Handle(ctx, application.MetadataQuery{Caller: c, FilePath: path})
	if rec != nil {
		t.Errorf("metadata without audit: got a record")
	}
	wantKind(t, err, domain.ErrUnavailable, "audit_unavailable")
}

func TestMetadataAndExists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(c, "r.png", pngBytes(100)))
	path := rec.Path().String()
	other := f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "r.png", pngBytes(100))).Path().String()

	for _, role := range []domain.Role{domain.RoleViewer, domain.RoleMember, domain.RoleAdmin, domain.RoleAuditor} {
		got, err := f.app.Metadata.Handle(ctx, application.MetadataQuery{Caller: caller("org-1", role), FilePath: "/" + path})
		if err != nil || got.ID() != rec.ID() {
			t.Errorf("%s: got %v, %v; want the record", role, got, err)
		}
	}
	_, err := f.app.Metadata.Handle(ctx, application.MetadataQuery{Caller: c, FilePath: other})
	wantKind(t, err, domain.ErrNotFound, "not_found")

	for _, tc := range []struct {
		path string
		want bool
	}{{path, true}, {other, false}, {"org-1/accounting/receipt/exp-1/none.png", false}} {
		before := len(f.audit.Events())
		got, err := f.app.Metadata.Exists(ctx, application.MetadataQuery{Caller: c, FilePath: tc.path})
		if err != nil || got != tc.want {
			t.Errorf("exists %s: got %v, %v; want %v", tc.path, got, err, tc.want)
		}
		f.eventsSince(t, before, 1)
	}
	_, err = f.app.Metadata.Exists(ctx, application.MetadataQuery{Caller: c, FilePath: "org-1/../x"})
	wantKind(t, err, domain.ErrInvalid, "invalid_path")

	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: c, FilePath: path}); err != nil {
		t.Fatal(err)
	}
	_, err = f.app.Metadata.Handle(ctx, application.MetadataQuery{Caller: c, FilePath: path})
	wantKind(t, err, domain.ErrNotFound, "not_found")
}
