package repotest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// runVersions is the suite of application.FileVersions: round trips,
// deletes, the purge's listing, and the usage versions keep.
func runVersions(t *testing.T, fx Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testVersionRoundTrip(t, fx) })
	t.Run("Delete", func(t *testing.T) { t.Parallel(); testVersionDelete(t, fx) })
	t.Run("ListDue", func(t *testing.T) { t.Parallel(); testVersionListDue(t, fx) })
	t.Run("Usage", func(t *testing.T) { t.Parallel(); testVersionUsage(t, fx) })
	t.Run("ConcurrentDelete", func(t *testing.T) { t.Parallel(); testVersionConcurrentDelete(t, fx) })
	if fx.Tx != nil {
		t.Run("RolledBack", func(t *testing.T) { t.Parallel(); testVersionRolledBack(t, fx) })
	}
}

// version is a version of p with size bytes, superseded at.
func version(p domain.StoragePath, size int64, at time.Time) domain.FileVersion {
	id := uuid.Must(uuid.NewV7()).String()
	c := content(p, "up-"+id)
	c.SizeBytes = size
	return domain.FileVersion{ID: id, Path: p, Content: c, UploadedBy: "user-1",
		CreatedAt: at.Add(-time.Hour), SupersededAt: at}
}

func keep(t *testing.T, fx Fixture, v domain.FileVersion) domain.FileVersion {
	t.Helper()
	require.NoError(t, fx.Versions.Keep(ctx(t), v))
	v.CreatedAt, v.SupersededAt = micro(v.CreatedAt), micro(v.SupersededAt)
	return v
}

func testVersionRoundTrip(t *testing.T, fx Fixture) {
	org := newOrg()
	p, other := path(t, org+"/workspace/doc/d1/a.pdf"), path(t, org+"/workspace/doc/d1/b.pdf")
	v1 := keep(t, fx, version(p, 10, base))
	v2 := keep(t, fx, version(p, 20, base.Add(time.Second)))
	keep(t, fx, version(other, 30, base))

	got, err := fx.Versions.Get(ctx(t), p, v1.ID)
	require.NoError(t, err)
	require.Equal(t, v1, got)
	list, err := fx.Versions.List(ctx(t), p)
	require.NoError(t, err)
	require.Equal(t, []domain.FileVersion{v2, v1}, list, "the most recently superseded first")

	_, err = fx.Versions.Get(ctx(t), other, v1.ID)
	requireKind(t, err, domain.ErrNotFound, "version_not_found")
	_, err = fx.Versions.Get(ctx(t), p, uuid.NewString())
	requireKind(t, err, domain.ErrNotFound, "version_not_found")
	requireKind(t, fx.Versions.Keep(ctx(t), v1), domain.ErrExists, "")
	none, err := fx.Versions.List(ctx(t), path(t, org+"/workspace/doc/d1/none.pdf"))
	require.NoError(t, err)
	require.Empty(t, none)
}

func testVersionDelete(t *testing.T, fx Fixture) {
	org := newOrg()
	p, other := path(t, org+"/workspace/doc/d1/a.pdf"), path(t, org+"/workspace/doc/d1/b.pdf")
	v1 := keep(t, fx, version(p, 10, base))
	v2 := keep(t, fx, version(p, 20, base.Add(time.Second)))
	v3 := keep(t, fx, version(p, 30, base.Add(2*time.Second)))
	o := keep(t, fx, version(other, 40, base))

	require.NoError(t, fx.Versions.Delete(ctx(t), v1))
	requireKind(t, fx.Versions.Delete(ctx(t), v1), domain.ErrNotFound, "version_not_found")
	wrong := o
	wrong.Path = p
	requireKind(t, fx.Versions.Delete(ctx(t), wrong), domain.ErrNotFound, "version_not_found")

	all, err := fx.Versions.DeleteAll(ctx(t), p)
	require.NoError(t, err)
	require.ElementsMatch(t, []domain.FileVersion{v2, v3}, all)
	left, err := fx.Versions.List(ctx(t), p)
	require.NoError(t, err)
	require.Empty(t, left)
	kept, err := fx.Versions.List(ctx(t), other)
	require.NoError(t, err)
	require.Equal(t, []domain.FileVersion{o}, kept, "another path's versions stay")
	none, err := fx.Versions.DeleteAll(ctx(t), p)
	require.NoError(t, err)
	require.Empty(t, none)
}

func testVersionListDue(t *testing.T, fx Fixture) {
	org, org2 := newOrg(), newOrg()
	p, p2 := path(t, org+"/workspace/doc/d1/a.pdf"), path(t, org2+"/workspace/doc/d1/a.pdf")
	old1 := keep(t, fx, version(p, 1, base.Add(-3*time.Hour)))
	old2 := keep(t, fx, version(p, 2, base.Add(-2*time.Hour)))
	edge := keep(t, fx, version(p, 3, base)) // not strictly before the cutoff
	keep(t, fx, version(p, 4, base.Add(time.Hour)))
	keep(t, fx, version(p2, 5, base.Add(-time.Hour)))

	q := application.VersionPurgeQuery{Before: edge.SupersededAt, OrgID: org, Limit: 10}
	due, err := fx.Versions.ListDue(ctx(t), q)
	require.NoError(t, err)
	require.Equal(t, []domain.FileVersion{old1, old2}, due)

	q.Limit = 1
	page, err := fx.Versions.ListDue(ctx(t), q)
	require.NoError(t, err)
	require.Equal(t, []domain.FileVersion{old1}, page)
	q.AfterID = old1.ID
	page, err = fx.Versions.ListDue(ctx(t), q)
	require.NoError(t, err)
	require.Equal(t, []domain.FileVersion{old2}, page)

	every, err := fx.Versions.ListDue(ctx(t), application.VersionPurgeQuery{Before: edge.SupersededAt, Limit: 1000})
	require.NoError(t, err)
	var orgs []string
	for _, v := range every {
		if o := v.Path.OrgID(); o == org || o == org2 {
			orgs = append(orgs, o)
		}
	}
	require.ElementsMatch(t, []string{org, org, org2}, orgs, "every org without OrgID")

	_, err = fx.Versions.ListDue(ctx(t), application.VersionPurgeQuery{Limit: 1})
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Versions.ListDue(ctx(t), application.VersionPurgeQuery{Before: base})
	requireKind(t, err, domain.ErrInvalid, "")
}

func testVersionUsage(t *testing.T, fx Fixture) {
	org := newOrg()
	p := path(t, org+"/workspace/doc/d1/a.pdf")
	rec := sized(t, fx, create(t, fx, p), 100)
	_ = rec
	v1 := keep(t, fx, version(p, 10, base))
	v2 := keep(t, fx, version(p, 20, base))
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 130, Files: 3}})
	used, _, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, domain.Usage{Bytes: 130, Files: 3}, used, "the quota counts versions")

	require.NoError(t, fx.Versions.Delete(ctx(t), v1))
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 120, Files: 2}})
	_, err = fx.Versions.DeleteAll(ctx(t), p)
	require.NoError(t, err)
	_ = v2
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 100, Files: 1}})
}

func testVersionRolledBack(t *testing.T, fx Fixture) {
	org := newOrg()
	p := path(t, org+"/workspace/doc/d1/a.pdf")
	kept := keep(t, fx, version(p, 5, base))
	boom := errors.New("boom")
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		if err := fx.Versions.Keep(ctx, version(p, 10, base)); err != nil {
			return err
		}
		if err := fx.Versions.Delete(ctx, kept); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	list, err := fx.Versions.List(ctx(t), p)
	require.NoError(t, err)
	require.Equal(t, []domain.FileVersion{kept}, list, "a rolled-back Keep and Delete leave nothing")
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 5, Files: 1}})
}

func testVersionConcurrentDelete(t *testing.T, fx Fixture) {
	org := newOrg()
	p := path(t, org+"/workspace/doc/d1/a.pdf")
	v := keep(t, fx, version(p, 7, base))
	var wg sync.WaitGroup
	var won, lost atomic.Int32
	for range 8 {
		wg.Go(func() {
			err := fx.Versions.Delete(context.Background(), v)
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, domain.ErrNotFound):
				lost.Add(1)
			default:
				t.Errorf("concurrent Delete: %v", err)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), won.Load(), "exactly one Delete takes the version")
	require.Equal(t, int32(7), lost.Load())
	requireUsage(t, fx, org, nil)
}
