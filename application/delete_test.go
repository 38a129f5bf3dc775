package application_test

import (
	"context"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

func TestSoftDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	member := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	path := rec.Path().String()

	_, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: caller("org-1", domain.RoleViewer), FilePath: path})
	wantKind(t, err, domain.ErrForbidden, "forbidden")
	_, err = f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: caller("org-2", domain.RoleAdmin), FilePath: path})
	wantKind(t, err, domain.ErrNotFound, "not_found")

	got, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deleted() || got.DeletedBy() != "user-member" || !got.DeletedAt().Equal(f.clock.Now()) {
		t.Errorf("soft-deleted record: got %+v", got.Data())
	}
	if keys := f.blobKeys(t, ""); len(keys) != 1 {
		t.Errorf("a soft delete must keep the blob: got %v", keys)
	}
	_, err = f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: path})
	wantKind(t, err, domain.ErrNotFound, "not_found")

	ev := f.audit.Events()[3].Data()
	if ev.Action != domain.ActionDelete || !ev.Success || ev.Metadata["hard"] != false {
		t.Errorf("audit: got %+v", ev)
	}
	f.eventsSince(t, 0, 5)
}

func TestHardDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	member := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	path := rec.Path().String()

	_, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: path, Hard: true})
	wantKind(t, err, domain.ErrForbidden, "forbidden")

	admin := caller("org-1", domain.RoleAdmin)
	got, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: admin, FilePath: path, Hard: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.State() != domain.StatePurged || got.Visible() {
		t.Errorf("hard-deleted record: got %+v", got.Data())
	}
	if keys := f.blobKeys(t, ""); len(keys) != 0 {
		t.Errorf("blobs after hard delete: got %v, want none", keys)
	}
	_, err = f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: admin, FilePath: path, Hard: true})
	wantKind(t, err, domain.ErrNotFound, "not_found")
}

func TestHardDeleteKeepsTombstoneWhenBlobRemovalFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	admin := caller("org-1", domain.RoleAdmin)
	rec := f.mustUpload(t, receipt(admin, "r.png", pngBytes(100)))
	f.faultyBlobs.failDelete = true
	got, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: admin, FilePath: rec.Path().String(), Hard: true})
	if err != nil || got.State() != domain.StatePurged {
		t.Fatalf("hard delete: got %v, %v", got, err)
	}
	if ops := f.backgroundOps(); len(ops) != 1 {
		t.Errorf("background reports: got %v, want the failed blob removal", ops)
	}
}
