package application_test

import (
	"context"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// TestVersionsUnderLegalHold: a held file keeps every replaced content as a
// version even when its kind keeps none, and neither the purge nor a hard
// delete removes those versions while the hold stands; once it is cleared,
// the purge does, one PURGE event each.
func TestVersionsUnderLegalHold(t *testing.T) {
	t.Parallel()
	f, rec := heldUnversioned(t, func(o *application.Options) { o.Versions.Retention = time.Hour })
	ctx := context.Background()
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	vs := f.versions(t, member, rec.Path())
	if len(vs) != 2 {
		t.Fatalf("a held file of an unversioned kind kept %d versions, want 2", len(vs))
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 600, Files: 3})

	f.clock.Advance(2 * time.Hour)
	if rep := f.purge(t, application.PurgeCommand{}); rep.VersionsPurged != 0 || rep.VersionsHeld != 2 {
		t.Fatalf("purge past the retention of held versions: %+v, want none purged and 2 held", rep)
	}
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: admin, FilePath: rec.Path().String(), Hard: true}); !errorsIs(err, domain.ErrExists, "legal_hold") {
		t.Fatalf("hard delete of a held file: got %v, want 409 legal_hold", err)
	}
	if left := f.versions(t, member, rec.Path()); len(left) != 2 {
		t.Fatalf("versions after a refused hard delete: %d, want 2", len(left))
	}
	if n := len(f.blobKeys(t, rec.Path().String())); n != 3 {
		t.Errorf("blobs of the held file: %d, want 3 (current and two versions)", n)
	}

	if _, err := f.app.ClearLegalHold.Handle(ctx, application.ClearLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	if rep := f.purge(t, application.PurgeCommand{}); rep.VersionsPurged != 2 || rep.VersionsHeld != 0 {
		t.Fatalf("purge after the hold was cleared: %+v, want both versions purged", rep)
	}
	if evs := f.purgeEvents("org-1"); len(evs) != 2 {
		t.Errorf("PURGE events: %d, want one per version", len(evs))
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 300, Files: 1})
}

// heldUnversioned is a fixture whose receipts keep no versions, with legal
// holds, and org-1's receipt r.png: 100 bytes, held (a file hold by an
// admin), then overwritten by a member with 200 and then 300 bytes, a
// minute apart, so that the hold kept two versions.
func heldUnversioned(t *testing.T, options ...func(*application.Options)) (*fixture, *domain.FileRecord) {
	t.Helper()
	receipts := domain.Kind{System: "accounting", ObjectType: "receipt"}
	f := newVersionedFixture(t, append([]func(*application.Options){func(o *application.Options) {
		o.Versions.Unversioned = map[domain.Kind]bool{receipts: true}
	}}, options...)...)
	f.app.EnableLegalHolds(memrepo.NewLegalHolds())
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	rec := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	f.setHold(t, application.SetLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()})
	for _, size := range []int{200, 300} {
		f.clock.Advance(time.Minute)
		f.overwrite(t, member, "r.png", pngBytes(size))
	}
	return f, rec
}
