package application_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// reconcileFixture is a fixture whose clock is the real time, since the
// in-memory store stamps blobs with it.
func reconcileFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.clock.now = time.Now().UTC()
	return f
}

func (f *fixture) putBlob(t *testing.T, key string) {
	t.Helper()
	if _, err := f.blobs.Put(context.Background(), key, strings.NewReader("stray bytes"), "text/plain"); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) reconcile(t *testing.T, cmd application.ReconcileCommand) (application.ReconcileReport, []application.Finding) {
	t.Helper()
	var found []application.Finding
	cmd.OnFinding = func(x application.Finding) { found = append(found, x) }
	rep, err := f.app.Reconcile.Run(context.Background(), cmd)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	return rep, found
}

func kinds(found []application.Finding) []string {
	var out []string
	for _, x := range found {
		out = append(out, string(x.Kind)+" "+x.Key+" "+x.Outcome)
	}
	slices.Sort(out)
	return out
}

func TestReconcileClean(t *testing.T) {
	t.Parallel()
	f := reconcileFixture(t)
	f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "a.png", pngBytes(10)))
	f.softDeleted(t, "org-2", "b.png")
	rep, found := f.reconcile(t, application.ReconcileCommand{Fix: true})
	if !rep.Clean() || len(found) != 0 || rep.Blobs != 2 || rep.Records != 2 {
		t.Errorf("got %+v %v, want clean with 2 blobs and 2 records", rep, kinds(found))
	}
}

func TestReconcileOrphansRemovedOnlyAfterGrace(t *testing.T) {
	t.Parallel()
	f := reconcileFixture(t)
	rec := f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "a.png", pngBytes(10)))
	stray := domain.BlobKeyFor(rec.Path(), "crashed-upload")
	lost := "org-1/workspace/doc/d1/lost.txt/u1"
	probe := application.DoctorPrefix + "probe-1"
	foreign := "not-ours.txt"
	for _, k := range []string{stray, lost, probe, foreign} {
		f.putBlob(t, k)
	}

	rep, found := f.reconcile(t, application.ReconcileCommand{})
	if rep.Orphans != 3 || rep.Foreign != 1 || rep.OrphansRemoved != 0 || rep.Clean() {
		t.Errorf("report: got %+v", rep)
	}
	want := []string{"foreign not-ours.txt reported", "orphan " + probe + " kept (within grace)",
		"orphan " + lost + " kept (within grace)", "orphan " + stray + " kept (within grace)"}
	slices.Sort(want)
	if got := kinds(found); !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
	_, _ = f.reconcile(t, application.ReconcileCommand{Fix: true})
	if len(f.blobKeys(t, "")) != 5 {
		t.Fatal("--fix removed a blob within the grace period")
	}

	f.clock.Advance(application.DefaultReconcileGrace + time.Minute)
	rep, _ = f.reconcile(t, application.ReconcileCommand{})
	if rep.OrphansRemoved != 0 || len(f.blobKeys(t, "")) != 5 {
		t.Fatal("removed without --fix")
	}
	rep, _ = f.reconcile(t, application.ReconcileCommand{Fix: true})
	if rep.OrphansRemoved != 3 || rep.Foreign != 1 || rep.Clean() {
		t.Errorf("after the grace period with --fix: got %+v", rep)
	}
	if got, want := f.blobKeys(t, ""), []string{"not-ours.txt", rec.Content().BlobKey}; !slices.Equal(got, want) {
		t.Errorf("blobs left: got %v, want %v", got, want)
	}
}

func TestReconcileMissing(t *testing.T) {
	t.Parallel()
	f := reconcileFixture(t)
	rec := f.softDeleted(t, "org-1", "a.png")
	other := f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "b.png", pngBytes(10)))
	for _, k := range []string{rec.Content().BlobKey, other.Content().BlobKey} {
		if err := f.blobs.Delete(context.Background(), k); err != nil {
			t.Fatal(err)
		}
	}
	rep, found := f.reconcile(t, application.ReconcileCommand{Fix: true, OrgID: "org-1"})
	if rep.Missing != 1 || rep.Clean() || len(found) != 1 || found[0].Kind != application.FindingMissing ||
		found[0].Path != rec.Path().String() {
		t.Errorf("got %+v %v, want org-1's record missing", rep, kinds(found))
	}
	if got := f.record(t, rec.Path()); got.Version() != rec.Version() {
		t.Error("reconcile changed a record")
	}
	rep, _ = f.reconcile(t, application.ReconcileCommand{})
	if rep.Missing != 2 {
		t.Errorf("every org: got %+v, want 2 missing", rep)
	}
}

func TestReconcilePendingUploadIsNotAnOrphan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := reconcileFixture(t)
	p, err := domain.ParseStoragePath("org-1/workspace/doc/d1/big.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := domain.NewPendingRecord("rec-1", p, "big.pdf", "user-1", "up-1", f.clock.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.files.Create(ctx, pending); err != nil {
		t.Fatal(err)
	}
	f.putBlob(t, domain.BlobKeyFor(p, "up-1"))
	f.clock.Advance(application.DefaultReconcileGrace + time.Minute) // past the grace, but...
	rep, found := f.reconcile(t, application.ReconcileCommand{Fix: true})
	if rep.Orphans != 1 || found[0].Outcome != "removed" {
		t.Fatalf("a reservation older than stale_after protects nothing: got %+v %v", rep, kinds(found))
	}

	f2 := reconcileFixture(t)
	if _, err := f2.files.Create(ctx, pending); err != nil {
		t.Fatal(err)
	}
	f2.putBlob(t, domain.BlobKeyFor(p, "up-1"))
	f2.clock.Advance(30 * time.Minute)
	rep, found = f2.reconcile(t, application.ReconcileCommand{Fix: true})
	if rep.Orphans != 0 || !rep.Clean() || len(found) != 0 {
		t.Errorf("an upload in progress: got %+v %v, want no orphan", rep, kinds(found))
	}
}
