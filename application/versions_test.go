package application_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// newVersionedFixture is newFixture with versions kept.
func newVersionedFixture(t *testing.T, options ...func(*application.Options)) *fixture {
	t.Helper()
	f := newFixture(t, options...)
	f.app.EnableVersions(memrepo.NewVersions(f.files))
	return f
}

// overwrite uploads body over the receipt name as c.
func (f *fixture) overwrite(t *testing.T, c application.Caller, name string, body []byte) *domain.FileRecord {
	t.Helper()
	cmd := receipt(c, name, body)
	cmd.Overwrite = true
	return f.mustUpload(t, cmd)
}

// versioned uploads four contents to one receipt (three overwrites) and
// returns the path and the bodies in upload order.
func (f *fixture) versioned(t *testing.T, org string) (domain.StoragePath, [][]byte) {
	t.Helper()
	member := caller(org, domain.RoleMember)
	bodies := [][]byte{pngBytes(100), pngBytes(200), pngBytes(300), pngBytes(400)}
	rec := f.mustUpload(t, receipt(member, "r.png", bodies[0]))
	for _, b := range bodies[1:] {
		f.clock.Advance(time.Minute)
		f.overwrite(t, member, "r.png", b)
	}
	return rec.Path(), bodies
}

func (f *fixture) versions(t *testing.T, c application.Caller, p domain.StoragePath) []domain.FileVersion {
	t.Helper()
	vs, err := f.app.ListVersions.Handle(context.Background(), application.ListVersionsQuery{Caller: c, FilePath: p.String()})
	if err != nil {
		t.Fatalf("list versions: %v", err)
	}
	return vs
}

// requireRecount fails unless org's usage is want and equals a recount.
func (f *fixture) requireRecount(t *testing.T, org string, want domain.Usage) {
	t.Helper()
	used, _, err := f.files.OrgUsage(context.Background(), org, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if used != want {
		t.Errorf("usage of %s: got %+v, want %+v", org, used, want)
	}
	drift, err := f.app.RecountUsage.Handle(context.Background(), org, false)
	if err != nil || len(drift) != 0 {
		t.Errorf("recount of %s: drift %+v, err %v", org, drift, err)
	}
}

func TestVersionsThreeOverwritesKeepThree(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t)
	before := len(f.audit.Events())
	p, bodies := f.versioned(t, "org-1")
	viewer := caller("org-1", domain.RoleViewer)
	vs := f.versions(t, viewer, p)
	if len(vs) != 3 {
		t.Fatalf("versions: got %d, want 3", len(vs))
	}
	for i, v := range vs { // the most recently superseded first: bodies 2, 1, 0
		want := bodies[2-i]
		if v.Content.SHA256 != sha(want) || v.Content.SizeBytes != int64(len(want)) || v.UploadedBy != "user-member" ||
			v.Content.ContentType != "image/png" || v.CreatedAt.IsZero() || !v.SupersededAt.After(v.CreatedAt) {
			t.Errorf("version %d: got %+v", i, v)
		}
		if got := f.blobBytes(t, v.Content.BlobKey); !bytes.Equal(got, want) {
			t.Errorf("version %d: its blob holds other bytes", i)
		}
	}
	if keys := f.blobKeys(t, p.String()); len(keys) != 4 {
		t.Errorf("blobs: got %d, want 4 (current + 3 versions)", len(keys))
	}
	evs := f.eventsSince(t, before, 5) // UPLOAD, 3 EDIT, VIEW
	for _, e := range evs[1:4] {
		if d := e.Data(); d.Action != domain.ActionEdit || d.Metadata["kept_version_id"] == nil {
			t.Errorf("overwrite event: got %s %v", d.Action, d.Metadata)
		}
	}
	if d := evs[4].Data(); d.Action != domain.ActionView || d.Metadata["versions"] != 3 {
		t.Errorf("list event: got %s %v", d.Action, d.Metadata)
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 1000, Files: 4})

	// Each version is restorable: a URL of it, and a restore.
	for _, v := range vs {
		u, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: viewer, FilePath: p.String(), VersionID: v.ID})
		if err != nil || u.URL != "https://signed.example/"+v.Content.BlobKey {
			t.Fatalf("signed URL of %s: %v %v", v.ID, u, err)
		}
	}
}

func TestVersionsRestore(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t)
	p, bodies := f.versioned(t, "org-1")
	member := caller("org-1", domain.RoleMember)
	vs := f.versions(t, member, p)
	oldest := vs[2]
	before := len(f.audit.Events())
	rec, err := f.app.RestoreVersion.Handle(context.Background(),
		application.RestoreVersionCommand{Caller: member, FilePath: p.String(), VersionID: oldest.ID})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Content() != oldest.Content || !bytes.Equal(f.blobBytes(t, rec.Content().BlobKey), bodies[0]) {
		t.Errorf("restored content: got %+v, want %+v", rec.Content(), oldest.Content)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionEdit || !ev.Success || ev.Metadata["restored_version_id"] != oldest.ID || ev.Metadata["kept_version_id"] == nil {
		t.Errorf("restore event: got %s %v", ev.Action, ev.Metadata)
	}
	after := f.versions(t, member, p)
	if len(after) != 3 || after[0].Content.SHA256 != sha(bodies[3]) {
		t.Errorf("versions after the restore: got %+v, want the replaced content first", after)
	}
	for _, v := range after {
		if v.ID == oldest.ID {
			t.Error("the restored version is still listed")
		}
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 1000, Files: 4})
	if keys := f.blobKeys(t, p.String()); len(keys) != 4 {
		t.Errorf("blobs: got %d, want 4", len(keys))
	}

	// Refusals, each audited.
	cases := []struct {
		name      string
		c         application.Caller
		path, id  string
		kind      error
		code      string
		wantEvent bool
	}{
		{"viewer", caller("org-1", domain.RoleViewer), p.String(), after[0].ID, domain.ErrForbidden, "", true},
		{"other org", caller("org-2", domain.RoleAdmin), p.String(), after[0].ID, domain.ErrNotFound, "not_found", true},
		{"restored version gone", member, p.String(), oldest.ID, domain.ErrNotFound, "version_not_found", true},
		{"no version id", member, p.String(), "", domain.ErrInvalid, "missing_version_id", true},
	}
	for _, c := range cases {
		n := len(f.audit.Events())
		_, err := f.app.RestoreVersion.Handle(context.Background(),
			application.RestoreVersionCommand{Caller: c.c, FilePath: c.path, VersionID: c.id})
		wantKind(t, err, c.kind, c.code)
		ev := f.eventsSince(t, n, 1)[0].Data()
		if ev.Action != domain.ActionEdit || ev.Success {
			t.Errorf("%s: event %s success=%v", c.name, ev.Action, ev.Success)
		}
	}
	// A viewer may not restore, so Admit refuses before the body is read.
	wantKind(t, f.app.RestoreVersion.Admit(context.Background(), caller("org-1", domain.RoleViewer)), domain.ErrForbidden, "")
}

func TestVersionsOfDeletedFile(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t)
	p, _ := f.versioned(t, "org-1")
	admin := caller("org-1", domain.RoleAdmin)
	vs := f.versions(t, admin, p)
	if _, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: admin, FilePath: p.String()}); err != nil {
		t.Fatal(err)
	}
	_, err := f.app.ListVersions.Handle(context.Background(), application.ListVersionsQuery{Caller: admin, FilePath: p.String()})
	wantKind(t, err, domain.ErrNotFound, "not_found")
	_, err = f.app.RestoreVersion.Handle(context.Background(),
		application.RestoreVersionCommand{Caller: admin, FilePath: p.String(), VersionID: vs[0].ID})
	wantKind(t, err, domain.ErrNotFound, "file_deleted")
	_, err = f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: admin, FilePath: p.String(), VersionID: vs[0].ID})
	wantKind(t, err, domain.ErrNotFound, "not_found")

	// Restored, the file has its versions back.
	if _, err := f.app.Restore.Handle(context.Background(), application.RestoreCommand{Caller: admin, FilePath: p.String()}); err != nil {
		t.Fatal(err)
	}
	if got := f.versions(t, admin, p); len(got) != 3 {
		t.Fatalf("versions after the file's restore: got %d, want 3", len(got))
	}
	if _, err := f.app.RestoreVersion.Handle(context.Background(),
		application.RestoreVersionCommand{Caller: admin, FilePath: p.String(), VersionID: vs[0].ID}); err != nil {
		t.Fatal(err)
	}
}

func TestVersionsUnversionedKind(t *testing.T) {
	t.Parallel()
	receipts := domain.Kind{System: "accounting", ObjectType: "receipt"}
	f := newVersionedFixture(t, func(o *application.Options) {
		o.Versions.Unversioned = map[domain.Kind]bool{receipts: true}
	})
	p, _ := f.versioned(t, "org-1")
	if vs := f.versions(t, caller("org-1", domain.RoleMember), p); len(vs) != 0 {
		t.Errorf("an unversioned kind kept %d versions", len(vs))
	}
	if keys := f.blobKeys(t, p.String()); len(keys) != 1 {
		t.Errorf("blobs: got %d, want the current one alone", len(keys))
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 400, Files: 1})
}

func TestVersionsPurgeAndHardDelete(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t, func(o *application.Options) { o.Versions.Retention = time.Hour })
	p, _ := f.versioned(t, "org-1")
	q, _ := f.versioned(t, "org-2")
	vs := f.versions(t, caller("org-1", domain.RoleMember), p)

	rep := f.purge(t, application.PurgeCommand{})
	if rep.VersionsPurged != 0 {
		t.Fatalf("within the retention: purged %d versions", rep.VersionsPurged)
	}
	// org-1's were superseded at +1, +2 and +3 minutes, org-2's at +4, +5
	// and +6: at +62.5 minutes the oldest two of org-1 are past the hour.
	f.clock.Advance(56*time.Minute + 30*time.Second)
	rep = f.purge(t, application.PurgeCommand{OrgID: "org-1"})
	if rep.VersionsPurged != 2 || rep.VersionBytes != 300 || rep.Purged != 0 {
		t.Fatalf("past the retention: got %+v, want two versions of 300 bytes", rep)
	}
	evs := f.purgeEvents("org-1")
	if len(evs) != 2 {
		t.Fatalf("PURGE events: got %d, want 2", len(evs))
	}
	purged := map[any]bool{evs[0].Metadata["version_id"]: true, evs[1].Metadata["version_id"]: true}
	if !purged[vs[1].ID] || !purged[vs[2].ID] || evs[0].Actor.UserID != domain.SystemActor {
		t.Errorf("PURGE events: got %+v, want versions %s and %s", evs, vs[1].ID, vs[2].ID)
	}
	if left := f.versions(t, caller("org-1", domain.RoleMember), p); len(left) != 1 || left[0].ID != vs[0].ID {
		t.Errorf("versions left: got %+v", left)
	}
	if keys := f.blobKeys(t, p.String()); len(keys) != 2 {
		t.Errorf("blobs: got %d, want 2", len(keys))
	}
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 700, Files: 2})
	if n := len(f.versions(t, caller("org-2", domain.RoleMember), q)); n != 3 {
		t.Errorf("another org's versions: got %d, want 3 (the purge named org-1)", n)
	}

	// A hard delete removes every version and its blob.
	admin := caller("org-2", domain.RoleAdmin)
	if _, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: admin, FilePath: q.String(), Hard: true}); err != nil {
		t.Fatal(err)
	}
	if keys := f.blobKeys(t, q.String()); len(keys) != 0 {
		t.Errorf("blobs after a hard delete: %v", keys)
	}
	f.requireRecount(t, "org-2", domain.Usage{})
	ev := f.audit.Events()
	if d := ev[len(ev)-1].Data(); d.Action != domain.ActionDelete || d.Metadata["versions_removed"] != 3 {
		t.Errorf("hard delete event: %s %v", d.Action, d.Metadata)
	}
}

func TestVersionsCountAgainstQuota(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t, func(o *application.Options) { o.Quotas.Default = domain.Quota{Bytes: 500} })
	member := caller("org-1", domain.RoleMember)
	f.mustUpload(t, receipt(member, "r.png", pngBytes(200)))
	f.overwrite(t, member, "r.png", pngBytes(250)) // 450: the version counts
	cmd := receipt(member, "r.png", pngBytes(100))
	cmd.Overwrite = true
	_, err := f.app.Upload.Handle(context.Background(), cmd)
	wantKind(t, err, domain.ErrTooLarge, "quota_exceeded")
	f.requireRecount(t, "org-1", domain.Usage{Bytes: 450, Files: 2})
}

func TestVersionsSignedURLRefusals(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t)
	p, _ := f.versioned(t, "org-1")
	vs := f.versions(t, caller("org-1", domain.RoleViewer), p)
	for _, c := range []struct {
		c    application.Caller
		id   string
		code string
	}{
		{caller("org-2", domain.RoleAdmin), vs[0].ID, "not_found"},
		{caller("org-1", domain.RoleViewer), "0190b3c1-0000-7000-8000-000000000000", "version_not_found"},
	} {
		n := len(f.audit.Events())
		_, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: c.c, FilePath: p.String(), VersionID: c.id})
		wantKind(t, err, domain.ErrNotFound, c.code)
		if ev := f.eventsSince(t, n, 1)[0].Data(); ev.Success || ev.Action != domain.ActionSignedURLGenerated {
			t.Errorf("refusal event: %+v", ev)
		}
	}
	_, err := f.app.ListVersions.Handle(context.Background(), application.ListVersionsQuery{Caller: caller("org-2", domain.RoleAdmin), FilePath: p.String()})
	wantKind(t, err, domain.ErrNotFound, "not_found")
}

// TestVersionsReconcile: a version's blob is referenced, not an orphan;
// a blob no version keeps any more is.
func TestVersionsReconcile(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t)
	f.clock.now = time.Now().UTC() // the blobs' modification times are real
	p, _ := f.versioned(t, "org-1")
	f.clock.Advance(48 * time.Hour)
	rep, found := f.reconcile(t, application.ReconcileCommand{Fix: true})
	if !rep.Clean() || len(found) != 0 || rep.Blobs != 4 {
		t.Errorf("got %+v %v, want clean with 4 blobs (the current one and 3 versions)", rep, kinds(found))
	}
	if n := len(f.versions(t, caller("org-1", domain.RoleViewer), p)); n != 3 {
		t.Fatalf("versions after reconcile: got %d, want 3", n)
	}
	stray := p.String() + "/0190b3c1-0000-7000-8000-000000000000"
	f.putBlob(t, stray)
	f.clock.Advance(48 * time.Hour)
	rep, found = f.reconcile(t, application.ReconcileCommand{Fix: true, Grace: time.Nanosecond})
	if rep.Orphans != 1 || rep.OrphansRemoved != 1 || len(found) != 1 || found[0].Key != stray {
		t.Errorf("got %+v %v, want the stray blob alone removed", rep, kinds(found))
	}
}

// TestVersionsGoWithTheirPurgedFile: a file purged for good takes its
// versions with it, whatever the version retention, each with its own
// PURGE event, so a new file at the same path starts with none.
func TestVersionsGoWithTheirPurgedFile(t *testing.T) {
	t.Parallel()
	f := newVersionedFixture(t, func(o *application.Options) {
		o.Retention = time.Hour
		o.Versions.Retention = 1000 * time.Hour
	})
	ctx := context.Background()
	p, _ := f.versioned(t, "org-1")
	member := caller("org-1", domain.RoleMember)
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: p.String()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	rep := f.purge(t, application.PurgeCommand{})
	if rep.Purged != 1 || rep.VersionsPurged != 3 || rep.VersionBytes != 600 {
		t.Fatalf("purge of a file with three young versions: %+v, want the file and its three versions (600 bytes)", rep)
	}
	withFile := 0
	for _, ev := range f.purgeEvents("org-1") {
		if ev.Metadata["version_id"] != nil && ev.Metadata["with_file"] == true {
			withFile++
		}
	}
	if withFile != 3 {
		t.Errorf("PURGE events of versions gone with their file: %d, want 3", withFile)
	}
	if keys := f.blobKeys(t, p.String()); len(keys) != 0 {
		t.Errorf("blobs left: %v", keys)
	}
	f.requireRecount(t, "org-1", domain.Usage{})
	f.mustUpload(t, receipt(member, "r.png", pngBytes(50)))
	if vs := f.versions(t, member, p); len(vs) != 0 {
		t.Errorf("a new file at a purged path lists %d versions of the old one", len(vs))
	}
}
