package application_test

import (
	"context"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// hookedVersions runs onList once, before the next List answers: a
// request of another replica landing between two steps of a use case.
type hookedVersions struct {
	application.FileVersions
	onList func()
}

func (h *hookedVersions) List(ctx context.Context, path domain.StoragePath) ([]domain.FileVersion, error) {
	if fn := h.onList; fn != nil {
		h.onList = nil
		fn()
	}
	return h.FileVersions.List(ctx, path)
}

// TestVersionsPurgedWithFileSpareANewFilesVersions: the purge takes a
// purged file's versions once its batch committed (purgeVersionsOf), so a
// new file uploaded at the path meanwhile, and overwritten, has versions
// of its own by then: they are not the purged file's and stay.
func TestVersionsPurgedWithFileSpareANewFilesVersions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *application.Options) {
		o.Retention = time.Hour
		o.Versions.Retention = 1000 * time.Hour
	})
	hv := &hookedVersions{FileVersions: memrepo.NewVersions(f.files)}
	f.app.EnableVersions(hv)
	ctx := context.Background()
	member := caller("org-1", domain.RoleMember)
	old := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	f.clock.Advance(time.Minute)
	f.overwrite(t, member, "r.png", pngBytes(200))
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: old.Path().String()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	hv.onList = func() { // the file's batch committed: a new file at its path
		f.mustUpload(t, receipt(member, "r.png", pngBytes(300)))
		f.clock.Advance(time.Minute)
		f.overwrite(t, member, "r.png", pngBytes(400))
	}
	rep := f.purge(t, application.PurgeCommand{})
	if rep.Purged != 1 || rep.VersionsPurged != 1 || rep.VersionBytes != 100 {
		t.Errorf("purge: got %+v, want the file and its one version (100 bytes)", rep)
	}
	vs := f.versions(t, member, old.Path())
	if len(vs) != 1 || vs[0].Content.SizeBytes != 300 {
		t.Fatalf("the new file's versions: got %+v, want its own (300 bytes)", vs)
	}
	if keys := f.blobKeys(t, old.Path().String()); len(keys) != 2 {
		t.Errorf("blobs: got %d, want the new file's 2", len(keys))
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 700, Files: 2})
}

// TestVersionsRestoreOnAnUnversionedKind: on a kind whose overwrites keep
// no version, a held file's versions can be restored; while the hold
// stands the replaced content is kept as a version (the overwrite's rule),
// once it is cleared the replaced content goes with its blob, and usage
// equals a recount throughout.
func TestVersionsRestoreOnAnUnversionedKind(t *testing.T) {
	t.Parallel()
	receipts := domain.Kind{System: "accounting", ObjectType: "receipt"}
	f := newVersionedFixture(t, func(o *application.Options) {
		o.Versions.Unversioned = map[domain.Kind]bool{receipts: true}
	})
	f.app.EnableLegalHolds(memrepo.NewLegalHolds())
	ctx := context.Background()
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	rec := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	f.setHold(t, application.SetLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()})
	for _, size := range []int{200, 300} {
		f.clock.Advance(time.Minute)
		f.overwrite(t, member, "r.png", pngBytes(size))
	}
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
