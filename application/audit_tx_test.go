package application_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// snapshot is what a change may alter: every record of an org (in any
// state), the blob keys under it and the number of audit events. Versions
// are left out: an overwrite's reservation and its release are writes of
// their own that leave the record as it was but count as versions.
type snapshot struct {
	records []domain.FileRecordData
	blobs   []string
	events  int
}

func (f *fixture) snapshot(t *testing.T, org string) snapshot {
	t.Helper()
	recs, err := f.files.List(context.Background(), application.ListQuery{OrgID: org, Limit: 1000, IncludeDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{blobs: f.blobKeys(t, org+"/"), events: len(f.audit.Events())}
	for _, r := range recs {
		d := r.Data()
		d.Version = 0
		s.records = append(s.records, d)
	}
	return s
}

// TestChangesFailWithoutTheirAuditEvent arms the audit trail to refuse
// every write: each change then answers audit_unavailable and leaves
// records, blobs and events exactly as they were; once the trail is back
// the same change succeeds with exactly one event.
func TestChangesFailWithoutTheirAuditEvent(t *testing.T) {
	t.Parallel()
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, f *fixture) string // returns the path it set up
		change func(f *fixture, path string) error
	}{
		{"upload", func(*testing.T, *fixture) string { return "" }, func(f *fixture, _ string) error {
			_, err := f.app.Upload.Handle(context.Background(), receipt(member, "r.png", pngBytes(100)))
			return err
		}},
		{"overwrite", func(t *testing.T, f *fixture) string {
			return f.mustUpload(t, receipt(member, "r.png", pngBytes(100))).Path().String()
		}, func(f *fixture, _ string) error {
			cmd := receipt(member, "r.png", pngBytes(200))
			cmd.Overwrite = true
			_, err := f.app.Upload.Handle(context.Background(), cmd)
			return err
		}},
		{"soft delete", func(t *testing.T, f *fixture) string {
			return f.mustUpload(t, receipt(member, "r.png", pngBytes(100))).Path().String()
		}, func(f *fixture, p string) error {
			_, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: member, FilePath: p})
			return err
		}},
		{"hard delete", func(t *testing.T, f *fixture) string {
			return f.mustUpload(t, receipt(member, "r.png", pngBytes(100))).Path().String()
		}, func(f *fixture, p string) error {
			_, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: admin, FilePath: p, Hard: true})
			return err
		}},
		{"restore", func(t *testing.T, f *fixture) string {
			return f.softDeleted(t, "org-1", "r.png").Path().String()
		}, func(f *fixture, p string) error {
			_, err := f.app.Restore.Handle(context.Background(), application.RestoreCommand{Caller: admin, FilePath: p})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			p := tc.setup(t, f)
			before := f.snapshot(t, "org-1")
			f.faultyAudit.fail = true
			wantKind(t, tc.change(f, p), domain.ErrUnavailable, "audit_unavailable")
			if after := f.snapshot(t, "org-1"); !reflect.DeepEqual(after, before) {
				t.Fatalf("state after the refused change:\n got %+v\nwant %+v", after, before)
			}
			if ops := f.backgroundOps(); len(ops) != 1 || ops[0] != "audit "+string(actionOf(tc.name)) {
				t.Errorf("background reports: got %v, want only the failure event that could not be written", ops)
			}
			f.faultyAudit.fail = false
			if err := tc.change(f, p); err != nil {
				t.Fatalf("the same change with the audit trail back: %v", err)
			}
			f.eventsSince(t, before.events, 1)
		})
	}
}

func actionOf(name string) domain.Action {
	switch name {
	case "upload":
		return domain.ActionUpload
	case "overwrite":
		return domain.ActionEdit
	case "restore":
		return domain.ActionRestore
	}
	return domain.ActionDelete
}

// TestPurgeFailsWithoutItsAuditEvents refuses the PURGE events: the batch
// rolls back (no tombstone without its event), the run stops with
// audit_unavailable, and the next run finishes it with one event per file.
func TestPurgeFailsWithoutItsAuditEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var recs []*domain.FileRecord
	for i := range 3 {
		recs = append(recs, f.softDeleted(t, "org-1", fmt.Sprintf("f%d.png", i)))
	}
	f.clock.Advance(application.DefaultRetention + time.Hour)
	f.faultyAudit.fail = true
	rep, err := f.app.Purge.Run(context.Background(), application.PurgeCommand{})
	wantKind(t, err, domain.ErrUnavailable, "audit_unavailable")
	if rep.Purged != 0 {
		t.Errorf("report: got %+v, want nothing purged", rep)
	}
	for _, r := range recs {
		if got := f.record(t, r.Path()); got.State() != domain.StateActive || got.Version() != r.Version() {
			t.Errorf("a tombstone was kept without its event: %+v", got.Data())
		}
	}
	f.faultyAudit.fail = false
	if rep := f.purge(t, application.PurgeCommand{}); rep.Purged != 3 {
		t.Fatalf("next run: got %+v", rep)
	}
	if evs := f.purgeEvents("org-1"); len(evs) != 3 {
		t.Errorf("PURGE events: got %d, want 3", len(evs))
	}
}

// TestMultipartChangesFailWithoutTheirAuditEvent refuses the audit trail
// for the changes of multipart uploads: initiate leaves no session or
// reservation, complete commits nothing, and abort keeps the session.
func TestMultipartChangesFailWithoutTheirAuditEvent(t *testing.T) {
	t.Parallel()
	c := caller("org-1", domain.RoleMember)
	data := pdfBytes(int(domain.MinPartBytes) + 10)

	t.Run("initiate", func(t *testing.T) {
		t.Parallel()
		f := newMPFixture(t)
		f.faultyAudit.fail = true
		_, err := f.app.InitiateMultipart.Handle(t.Context(), application.InitiateMultipartCommand{
			Caller: c, System: "workspace", ObjectType: "doc", ObjectID: "doc-1", Filename: "a.pdf", Size: 10})
		wantDomainErr(t, err, domain.ErrUnavailable, "audit_unavailable")
		if n := f.files.Len(); n != 0 {
			t.Errorf("records: got %d, want the reservation released", n)
		}
		if ups, _ := f.blobs.ListMultipart(t.Context(), "", "", "", 10); len(ups) != 0 {
			t.Errorf("store uploads: got %v, want the upload aborted", ups)
		}
	})
	t.Run("complete", func(t *testing.T) {
		t.Parallel()
		f := newMPFixture(t)
		s := f.initiate(t, c, "a.pdf", int64(len(data)))
		refs := f.sendParts(t, c, s, data)
		events := len(f.audit.Events())
		f.faultyAudit.fail = true
		_, err := f.complete(t, c, s, refs)
		wantDomainErr(t, err, domain.ErrUnavailable, "audit_unavailable")
		f.wantNothingLeft(t, s)
		if got := len(f.audit.Events()); got != events {
			t.Errorf("events: got %d, want %d", got, events)
		}
	})
	t.Run("abort", func(t *testing.T) {
		t.Parallel()
		f := newMPFixture(t)
		s := f.initiate(t, c, "a.pdf", int64(len(data)))
		f.faultyAudit.fail = true
		err := f.app.AbortMultipart.Handle(t.Context(), application.AbortMultipartCommand{Caller: c, UploadID: s.ID()})
		wantDomainErr(t, err, domain.ErrUnavailable, "audit_unavailable")
		if _, err := f.sessions.Get(t.Context(), s.ID()); err != nil {
			t.Fatalf("session after a refused abort: %v, want it kept (aborting) for a retry", err)
		}
		f.faultyAudit.fail = false
		if err := f.app.AbortMultipart.Handle(t.Context(), application.AbortMultipartCommand{Caller: c, UploadID: s.ID()}); err != nil {
			t.Fatalf("abort again: %v", err)
		}
		f.wantNothingLeft(t, s)
	})
}
