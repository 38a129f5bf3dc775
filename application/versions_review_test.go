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
