package repotest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/domain"
)

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func content(p domain.StoragePath, uploadID string) domain.Content {
	return domain.Content{BlobKey: domain.BlobKeyFor(p, uploadID), ContentType: "application/pdf", SizeBytes: 1234, SHA256: sha}
}

// create stores a new pending record at p.
func create(t *testing.T, fx Fixture, p domain.StoragePath) *domain.FileRecord {
	t.Helper()
	rec, err := domain.NewPendingRecord(newID(), p, "Original name.pdf", "user-1", "up-"+newID(), base, time.Minute)
	require.NoError(t, err)
	got, err := fx.Files.Create(ctx(t), rec)
	require.NoError(t, err, "create %s", p)
	return got
}

// active stores a record at p holding a committed blob.
func active(t *testing.T, fx Fixture, p domain.StoragePath) *domain.FileRecord {
	t.Helper()
	rec := create(t, fx, p)
	_, err := rec.CompleteUpload(rec.PendingUploadID(), content(p, rec.PendingUploadID()), "orig.pdf", "user-1", base)
	require.NoError(t, err)
	got, err := fx.Files.Update(ctx(t), rec)
	require.NoError(t, err, "complete upload of %s", p)
	return got
}

// requireSame fails unless got holds want's data, times compared at
// microsecond precision, and every time of got is in UTC.
func requireSame(t *testing.T, want domain.FileRecordData, got *domain.FileRecord) {
	t.Helper()
	g := got.Data()
	for _, tm := range []time.Time{g.CreatedAt, g.UpdatedAt, g.DeletedAt, g.PendingSince, g.PendingUntil} {
		require.Equal(t, time.UTC, tm.Location(), "got time %v, want UTC", tm)
	}
	norm := func(d domain.FileRecordData) domain.FileRecordData {
		d.CreatedAt, d.UpdatedAt = micro(d.CreatedAt), micro(d.UpdatedAt)
		d.DeletedAt, d.PendingSince, d.PendingUntil = micro(d.DeletedAt), micro(d.PendingSince), micro(d.PendingUntil)
		return d
	}
	require.Equal(t, norm(want), norm(g))
}

func testRoundTrip(t *testing.T, fx Fixture) {
	p := path(t, newOrg()+"/accounting/receipt/rcpt_2026-01/20260126_153045_IMG_2024.jpg")
	rec, err := domain.NewPendingRecord(newID(), p, "IMG 2024 (1).jpg", "user-1", "up-1", base, time.Minute)
	require.NoError(t, err)
	want := rec.Data()
	want.Version = 1
	created, err := fx.Files.Create(ctx(t), rec)
	require.NoError(t, err)
	requireSame(t, want, created)
	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	requireSame(t, want, got)

	// Give every field a non-zero value: committed, soft-deleted, and
	// reserved again by a second upload.
	_, err = got.CompleteUpload("up-1", content(p, "up-1"), "IMG 2024 (1).jpg", "user-2", base.Add(time.Second))
	require.NoError(t, err)
	require.NoError(t, got.SoftDelete("user-3", base.Add(2*time.Second)))
	require.NoError(t, got.BeginUpload("up-2", true, base.Add(3*time.Second), time.Minute))
	want = got.Data()
	want.Version = 2
	updated, err := fx.Files.Update(ctx(t), got)
	require.NoError(t, err)
	requireSame(t, want, updated)
	got, err = fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	requireSame(t, want, got)
	d := got.Data()
	require.True(t, d.Deleted && d.DeletedBy != "" && !d.DeletedAt.IsZero() && !d.PendingSince.IsZero() &&
		d.PendingUploadID != "" && d.Content.BlobKey != "" && d.State == domain.StateActive, "got %+v", d)

	// Clearing fields (deleted_at, pending_since) round-trips too.
	_, err = got.CompleteUpload("up-2", content(p, "up-2"), "new.jpg", "user-4", base.Add(4*time.Second))
	require.NoError(t, err)
	want = got.Data()
	want.Version = 3
	_, err = fx.Files.Update(ctx(t), got)
	require.NoError(t, err)
	got, err = fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	requireSame(t, want, got)
	require.True(t, got.DeletedAt().IsZero() && got.Data().PendingSince.IsZero(), "got %+v", got.Data())
}

func testCreateErrors(t *testing.T, fx Fixture) {
	org := newOrg()
	p := path(t, org+"/workspace/doc/d1/a.txt")
	first := create(t, fx, p)

	again, err := domain.NewPendingRecord(newID(), p, "a.txt", "user-2", "up-2", base, time.Minute)
	require.NoError(t, err)
	_, err = fx.Files.Create(ctx(t), again)
	requireKind(t, err, domain.ErrExists, "")

	sameID, err := domain.NewPendingRecord(first.ID(), path(t, org+"/workspace/doc/d1/b.txt"), "b.txt", "user-2", "up-3", base, time.Minute)
	require.NoError(t, err)
	_, err = fx.Files.Create(ctx(t), sameID)
	requireKind(t, err, domain.ErrExists, "")

	missing := path(t, org+"/workspace/doc/d1/missing.txt")
	_, err = fx.Files.Get(ctx(t), missing)
	requireKind(t, err, domain.ErrNotFound, "")
	ghost, err := domain.NewPendingRecord(newID(), missing, "missing.txt", "user-1", "up-4", base, time.Minute)
	require.NoError(t, err)
	_, err = fx.Files.Update(ctx(t), ghost)
	requireKind(t, err, domain.ErrNotFound, "")
	requireKind(t, fx.Files.Delete(ctx(t), ghost), domain.ErrNotFound, "")
}

func testOptimisticUpdate(t *testing.T, fx Fixture) {
	p := path(t, newOrg()+"/workspace/sheet/s1/budget.xlsx")
	created := create(t, fx, p)
	a, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	b, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)

	_, err = a.CompleteUpload(created.PendingUploadID(), content(p, created.PendingUploadID()), "a.xlsx", "user-a", base)
	require.NoError(t, err)
	a2, err := fx.Files.Update(ctx(t), a)
	require.NoError(t, err)
	require.Equal(t, created.Version()+1, a2.Version())

	require.True(t, b.AbandonUpload(created.PendingUploadID()))
	_, err = fx.Files.Update(ctx(t), b)
	requireKind(t, err, domain.ErrExists, domain.CodeConcurrentUpdate)

	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	requireSame(t, a2.Data(), got)

	require.NoError(t, a2.SoftDelete("user-a", base.Add(time.Minute)))
	a3, err := fx.Files.Update(ctx(t), a2)
	require.NoError(t, err)
	require.Equal(t, a2.Version()+1, a3.Version())
}

func testOptimisticDelete(t *testing.T, fx Fixture) {
	p := path(t, newOrg()+"/app-builder/source/app1/app.zip")
	v1 := active(t, fx, p)
	require.NoError(t, v1.SoftDelete("user-1", base.Add(time.Minute)))
	v2, err := fx.Files.Update(ctx(t), v1)
	require.NoError(t, err)

	requireKind(t, fx.Files.Delete(ctx(t), v1), domain.ErrExists, domain.CodeConcurrentUpdate)
	require.NoError(t, fx.Files.Delete(ctx(t), v2))
	_, err = fx.Files.Get(ctx(t), p)
	requireKind(t, err, domain.ErrNotFound, "")
	requireKind(t, fx.Files.Delete(ctx(t), v2), domain.ErrNotFound, "")

	// A new record at the path is not removed through a stale copy of the
	// old one, even one whose version happens to match.
	fresh := create(t, fx, p)
	require.Equal(t, int64(1), fresh.Version())
	stale, err := domain.RehydrateFileRecord(func() domain.FileRecordData { d := v2.Data(); d.Version = 1; return d }())
	require.NoError(t, err)
	err = fx.Files.Delete(ctx(t), stale)
	require.Error(t, err)
	require.True(t, domain.KindOf(err) == domain.ErrExists || domain.KindOf(err) == domain.ErrNotFound, "got %v", err)
	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	require.Equal(t, fresh.ID(), got.ID())
}
