package application_test

import (
	"context"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

func TestRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	rec := f.softDeleted(t, "org-1", "a.png")
	path := rec.Path().String()
	admin := caller("org-1", domain.RoleAdmin)

	for _, c := range []application.Caller{caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAuditor)} {
		_, err := f.app.Restore.Handle(ctx, application.RestoreCommand{Caller: c, FilePath: path})
		wantKind(t, err, domain.ErrForbidden, "forbidden")
	}
	_, err := f.app.Restore.Handle(ctx, application.RestoreCommand{Caller: caller("org-2", domain.RoleAdmin), FilePath: path})
	wantKind(t, err, domain.ErrNotFound, "not_found")

	before := len(f.audit.Events())
	f.clock.Advance(time.Hour)
	got, err := f.app.Restore.Handle(ctx, application.RestoreCommand{Caller: admin, FilePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Visible() || got.Deleted() || got.Content() != rec.Content() {
		t.Errorf("restored record: got %+v", got.Data())
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionRestore || !ev.Success || ev.Actor.UserID != "user-admin" || ev.FilePath != path ||
		ev.Metadata["deleted_by"] != "user-member" {
		t.Errorf("RESTORE event: got %+v", ev)
	}
	if _, err := f.app.Metadata.Handle(ctx, application.MetadataQuery{Caller: admin, FilePath: path}); err != nil {
		t.Errorf("metadata after restore: %v", err)
	}
	// Not deleted (any more): 404, audited as a failed RESTORE.
	before = len(f.audit.Events())
	_, err = f.app.Restore.Handle(ctx, application.RestoreCommand{Caller: admin, FilePath: path})
	wantKind(t, err, domain.ErrNotFound, "not_found")
	if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Success || ev.Action != domain.ActionRestore {
		t.Errorf("refused RESTORE event: got %+v", ev)
	}
}

func TestRestoreRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	admin := caller("org-1", domain.RoleAdmin)
	restore := func(p string) error {
		_, err := f.app.Restore.Handle(ctx, application.RestoreCommand{Caller: admin, FilePath: p})
		return err
	}
	wantKind(t, restore("org-1/accounting/receipt/exp-1/none.png"), domain.ErrNotFound, "not_found")
	wantKind(t, restore("../etc/passwd"), domain.ErrInvalid, "")

	hard := f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "hard.png", pngBytes(10)))
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: admin, FilePath: hard.Path().String(), Hard: true}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, restore(hard.Path().String()), domain.ErrNotFound, "not_found")

	gone := f.softDeleted(t, "org-1", "gone.png")
	if err := f.blobs.Delete(ctx, gone.Content().BlobKey); err != nil {
		t.Fatal(err)
	}
	wantKind(t, restore(gone.Path().String()), domain.ErrNotFound, "content_missing")
	if got := f.record(t, gone.Path()); !got.Deleted() {
		t.Error("a record without blob was restored")
	}

	old := f.softDeleted(t, "org-1", "old.png")
	f.clock.Advance(application.DefaultRetention + time.Second)
	wantKind(t, restore(old.Path().String()), domain.ErrNotFound, "retention_expired")
	f.purge(t, application.PurgeCommand{})
	wantKind(t, restore(old.Path().String()), domain.ErrNotFound, "not_found")
}
