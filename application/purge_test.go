package application_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// softDeleted uploads a receipt as a member of org and soft-deletes it.
func (f *fixture) softDeleted(t *testing.T, org, name string) *domain.FileRecord {
	t.Helper()
	member := caller(org, domain.RoleMember)
	rec := f.mustUpload(t, receipt(member, name, pngBytes(100)))
	got, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: member, FilePath: rec.Path().String()})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *fixture) purge(t *testing.T, cmd application.PurgeCommand) application.PurgeReport {
	t.Helper()
	rep, err := f.app.Purge.Run(context.Background(), cmd)
	if err != nil {
		t.Fatalf("purge: %v (report %+v)", err, rep)
	}
	return rep
}

func (f *fixture) record(t *testing.T, p domain.StoragePath) *domain.FileRecord {
	t.Helper()
	rec, err := f.files.Get(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// purgeEvents returns org's PURGE events.
func (f *fixture) purgeEvents(org string) []domain.AuditEventData {
	var out []domain.AuditEventData
	for _, e := range f.audit.Events() {
		if d := e.Data(); d.Action == domain.ActionPurge && d.Actor.OrgID == org {
			out = append(out, d)
		}
	}
	return out
}

func TestPurgeRetentionBoundary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.softDeleted(t, "org-1", "old.png")
	visible := f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "kept.png", pngBytes(50)))

	f.clock.Advance(application.DefaultRetention)
	if rep := f.purge(t, application.PurgeCommand{}); rep != (application.PurgeReport{}) {
		t.Fatalf("exactly at the retention: got %+v, want nothing purged", rep)
	}
	f.clock.Advance(time.Second)
	rep := f.purge(t, application.PurgeCommand{})
	if rep.Due != 1 || rep.Purged != 1 || rep.Bytes != 100 || rep.Failures != 0 {
		t.Fatalf("past the retention: got %+v, want one file of 100 bytes", rep)
	}
	got := f.record(t, rec.Path())
	if got.State() != domain.StatePurged || got.Content().BlobKey != "" || got.DeletedBy() != "user-member" {
		t.Errorf("tombstone: got %+v", got.Data())
	}
	if keys := f.blobKeys(t, rec.Path().String()); len(keys) != 0 {
		t.Errorf("blob left behind: %v", keys)
	}
	if !f.record(t, visible.Path()).Visible() || len(f.blobKeys(t, visible.Path().String())) != 1 {
		t.Error("a visible file was touched")
	}
	evs := f.purgeEvents("org-1")
	if len(evs) != 1 {
		t.Fatalf("got %d PURGE events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Actor.UserID != domain.SystemActor || ev.Actor.Role != domain.RoleSystem || !ev.Success ||
		ev.FilePath != rec.Path().String() || ev.Metadata["size_bytes"] != int64(100) || ev.Metadata["deleted_by"] != "user-member" {
		t.Errorf("PURGE event: got %+v", ev)
	}
	if ev.ID != application.PurgeEventID(rec.ID(), rec.DeletedAt()) {
		t.Errorf("event id %s is not derived from the deletion", ev.ID)
	}
}

func TestPurgeOlderThanOverridesRetention(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *application.Options) { o.Retention = time.Hour })
	f.softDeleted(t, "org-1", "a.png")
	f.clock.Advance(2 * time.Hour)
	if rep := f.purge(t, application.PurgeCommand{OlderThan: 3 * time.Hour}); rep.Purged != 0 {
		t.Errorf("--older-than 3h after 2h: got %+v", rep)
	}
	if rep := f.purge(t, application.PurgeCommand{}); rep.Purged != 1 {
		t.Errorf("configured retention 1h after 2h: got %+v", rep)
	}
}

func TestPurgeDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.softDeleted(t, "org-1", "a.png")
	f.clock.Advance(application.DefaultRetention + time.Hour)
	events := len(f.audit.Events())
	rep := f.purge(t, application.PurgeCommand{DryRun: true})
	if rep.Due != 1 || rep.Purged != 1 || rep.Bytes != 100 {
		t.Errorf("dry run: got %+v, want one file of 100 bytes counted", rep)
	}
	if got := f.record(t, rec.Path()); got.Version() != rec.Version() || got.State() != domain.StateActive {
		t.Errorf("dry run changed the record: %+v", got.Data())
	}
	if len(f.blobKeys(t, rec.Path().String())) != 1 {
		t.Error("dry run removed the blob")
	}
	f.eventsSince(t, events, 0)
}

func TestPurgeIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 3 {
		f.softDeleted(t, "org-1", fmt.Sprintf("f%d.png", i))
	}
	f.clock.Advance(application.DefaultRetention + time.Hour)
	if rep := f.purge(t, application.PurgeCommand{}); rep.Purged != 3 {
		t.Fatalf("first run: got %+v", rep)
	}
	events := len(f.audit.Events())
	if rep := f.purge(t, application.PurgeCommand{}); rep != (application.PurgeReport{}) {
		t.Errorf("second run: got %+v, want nothing", rep)
	}
	f.eventsSince(t, events, 0)
}

func TestPurgeInBatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 7 {
		f.softDeleted(t, fmt.Sprintf("org-%d", i%2), fmt.Sprintf("f%d.png", i))
	}
	f.clock.Advance(application.DefaultRetention + time.Hour)
	var progress []int64
	rep := f.purge(t, application.PurgeCommand{BatchSize: 2, Progress: func(r application.PurgeReport) { progress = append(progress, r.Purged) }})
	if rep.Purged != 7 || len(f.purgeEvents("org-0"))+len(f.purgeEvents("org-1")) != 7 {
		t.Errorf("got %+v, want 7 purged with 7 events", rep)
	}
	if want := []int64{2, 4, 6, 7}; fmt.Sprint(progress) != fmt.Sprint(want) {
		t.Errorf("progress: got %v, want %v", progress, want)
	}
	if rep := f.purge(t, application.PurgeCommand{OrgID: "org-1"}); rep.Purged != 0 {
		t.Errorf("org filter after all: got %+v", rep)
	}
}

func TestPurgeOrgFilter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.softDeleted(t, "org-a", "a.png")
	b := f.softDeleted(t, "org-b", "b.png")
	f.clock.Advance(application.DefaultRetention + time.Hour)
	if rep := f.purge(t, application.PurgeCommand{OrgID: "org-b"}); rep.Purged != 1 {
		t.Fatalf("got %+v", rep)
	}
	if f.record(t, a.Path()).State() != domain.StateActive || f.record(t, b.Path()).State() != domain.StatePurged {
		t.Error("the org filter was not applied")
	}
}

func TestPurgeBlobFailureIsRetriedNextRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.softDeleted(t, "org-1", "a.png")
	f.clock.Advance(application.DefaultRetention + time.Hour)
	f.faultyBlobs.failDelete = true
	rep := f.purge(t, application.PurgeCommand{})
	if rep.Failures != 1 || rep.Purged != 0 {
		t.Fatalf("failing store: got %+v", rep)
	}
	if got := f.record(t, rec.Path()); got.State() != domain.StateActive || !got.Deleted() {
		t.Errorf("a record whose blob remains was tombstoned: %+v", got.Data())
	}
	if len(f.purgeEvents("org-1")) != 0 {
		t.Error("a PURGE event was written for a file not purged")
	}
	f.faultyBlobs.failDelete = false
	if rep := f.purge(t, application.PurgeCommand{}); rep.Purged != 1 {
		t.Fatalf("next run: got %+v", rep)
	}
	if len(f.purgeEvents("org-1")) != 1 || len(f.blobKeys(t, rec.Path().String())) != 0 {
		t.Error("the next run did not finish the purge")
	}
}

func TestPurgeStopsAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 12 {
		f.softDeleted(t, "org-1", fmt.Sprintf("f%d.png", i))
	}
	f.clock.Advance(application.DefaultRetention + time.Hour)
	f.faultyBlobs.failDelete = true
	rep, err := f.app.Purge.Run(context.Background(), application.PurgeCommand{})
	wantKind(t, err, domain.ErrUnavailable, "purge_failing")
	if rep.Failures != 10 || rep.Purged != 0 {
		t.Errorf("got %+v, want a stop after 10 failures", rep)
	}
}

func TestPurgeRefusesBadCommands(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, cmd := range []application.PurgeCommand{{BatchSize: application.MaxPurgeBatch + 1}, {BatchSize: -1}, {OlderThan: -time.Hour}} {
		_, err := f.app.Purge.Run(context.Background(), cmd)
		wantKind(t, err, domain.ErrInvalid, "invalid_purge")
	}
}
