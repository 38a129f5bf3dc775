package application_test

import (
	"context"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TestVersionsRestoreOnAnUnversionedKind: on a kind whose overwrites keep
// no version, a held file's versions can be restored; while the hold
// stands the replaced content is kept as a version (the overwrite's rule),
// once it is cleared the replaced content goes with its blob, and usage
// equals a recount throughout.
func TestVersionsRestoreOnAnUnversionedKind(t *testing.T) {
	t.Parallel()
	f, rec := heldUnversioned(t)
	ctx := context.Background()
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 600, Files: 3})
	restore := func(id string) *domain.FileRecord {
		t.Helper()
		got, err := f.app.RestoreVersion.Handle(ctx, application.RestoreVersionCommand{Caller: member, FilePath: rec.Path().String(), VersionID: id})
		if err != nil {
			t.Fatalf("restore: %v", err)
		}
		return got
	}
	vs := f.versions(t, member, rec.Path()) // 200, 100
	if got := restore(vs[1].ID); got.Content().SizeBytes != 100 {
		t.Fatalf("restored content: %+v", got.Content())
	}
	if left := f.versions(t, member, rec.Path()); len(left) != 2 || left[0].Content.SizeBytes != 300 {
		t.Fatalf("held: versions after a restore %+v, want the replaced 300 bytes kept first", left)
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 600, Files: 3})

	if _, err := f.app.ClearLegalHold.Handle(ctx, application.ClearLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	left := f.versions(t, member, rec.Path()) // 300, 200
	before := len(f.audit.Events())
	if got := restore(left[1].ID); got.Content().SizeBytes != 200 {
		t.Fatalf("restored content: %+v", got.Content())
	}
	if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Action != domain.ActionEdit || ev.Metadata["kept_version_id"] != nil {
		t.Errorf("restore event without a hold: %s %v, want an EDIT keeping no version", ev.Action, ev.Metadata)
	}
	if now := f.versions(t, member, rec.Path()); len(now) != 1 || now[0].Content.SizeBytes != 300 {
		t.Fatalf("unheld: versions after a restore %+v, want the 300 bytes alone", now)
	}
	if n := len(f.blobKeys(t, rec.Path().String())); n != 2 {
		t.Errorf("blobs: %d, want 2 (the replaced 100 bytes removed)", n)
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 500, Files: 2})
}

// versionEventFault fails the append of versions' PURGE events while
// armed: the audit trail failing between a file's purge and its
// versions'.
type versionEventFault struct {
	application.AuditLog
	armed bool
}

func (a *versionEventFault) Append(ctx context.Context, e *domain.AuditEvent) error {
	if a.armed && e.Data().Metadata["version_id"] != nil {
		return errInjected
	}
	return a.AuditLog.Append(ctx, e)
}

// TestVersionsNeverOutliveTheirPurgedFile: a file purged for good takes
// its versions in the same transaction, so a failure in between (here the
// audit trail refusing the versions' PURGE events) purges neither, and the
// next run purges both: no version of a purged file is left to show up
// (and be restored) under a new file uploaded at the path.
func TestVersionsNeverOutliveTheirPurgedFile(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t, func(o *application.Options) {
		o.Retention = time.Hour
		o.Versions.Retention = 1000 * time.Hour
	})
	fault := &versionEventFault{AuditLog: f.faultyAudit.AuditLog, armed: true}
	f.faultyAudit.AuditLog = fault
	ctx := context.Background()
	member := caller("org-1", domain.RoleMember)
	old := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	f.clock.Advance(time.Minute)
	f.overwrite(t, member, "r.png", pngBytes(200))
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: old.Path().String()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	if _, err := f.app.Purge.Run(ctx, application.PurgeCommand{}); !errorsIs(err, domain.ErrUnavailable, "audit_unavailable") {
		t.Fatalf("purge with the versions' events refused: got %v, want audit_unavailable", err)
	}
	if r := f.record(t, old.Path()); r.State() != domain.StateActive || !r.Deleted() {
		t.Fatalf("after the failed run the file is %+v, want it still soft-deleted with its version", r.Data())
	}
	fault.armed = false
	if rep := f.purge(t, application.PurgeCommand{}); rep.Purged != 1 || rep.VersionsPurged != 1 || rep.VersionBytes != 100 {
		t.Errorf("next run: got %+v, want the file and its version", rep)
	}
	f.mustUpload(t, receipt(member, "r.png", pngBytes(300)))
	if vs := f.versions(t, member, old.Path()); len(vs) != 0 {
		t.Errorf("a new file at the path lists %d versions of the purged one", len(vs))
	}
	if keys := f.blobKeys(t, old.Path().String()); len(keys) != 1 {
		t.Errorf("blobs: got %d, want the new file's alone", len(keys))
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 300, Files: 1})
}
