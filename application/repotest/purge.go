package repotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// softDeleted stores a record at p soft-deleted at at.
func softDeleted(t *testing.T, fx Fixture, p domain.StoragePath, at time.Time) *domain.FileRecord {
	t.Helper()
	rec := active(t, fx, p)
	require.NoError(t, rec.SoftDelete("user-1", at))
	got, err := fx.Files.Update(ctx(t), rec)
	require.NoError(t, err)
	return got
}

// ids of recs, sorted.
func recIDs(recs []*domain.FileRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID()
	}
	slices.Sort(out)
	return out
}

// claimAll pages through the due records of org before cutoff, limit at a
// time, saving nothing, and returns them in claim order.
func claimAll(t *testing.T, fx Fixture, org string, cutoff time.Time, limit int) []string {
	t.Helper()
	var got []string
	q := application.PurgeBatchQuery{Before: cutoff, OrgID: org, Limit: limit}
	for range 100 {
		var page []*domain.FileRecord
		saved, err := fx.Files.ClaimPurgeBatch(ctx(t), q, func(_ context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
			page = due
			return nil, nil
		})
		require.NoError(t, err)
		require.Empty(t, saved)
		require.LessOrEqual(t, len(page), limit)
		for _, r := range page {
			got = append(got, r.ID())
		}
		if len(page) < limit {
			return got
		}
		q.AfterID = page[len(page)-1].ID()
	}
	t.Fatal("claims never ran out")
	return nil
}

// testPurgeClaimDue: only active, soft-deleted records of the org deleted
// strictly before the cutoff are claimed, and a claim that saves nothing
// changes nothing.
func testPurgeClaimDue(t *testing.T, fx Fixture) {
	org := newOrg()
	d := org + "/workspace/doc/d1/"
	cutoff := base.Add(-time.Hour)
	var want []*domain.FileRecord
	for i := range 3 {
		want = append(want, softDeleted(t, fx, path(t, fmt.Sprintf("%sold%d.txt", d, i)), cutoff.Add(-time.Duration(i+1)*time.Minute)))
	}
	softDeleted(t, fx, path(t, d+"at-cutoff.txt"), cutoff)
	softDeleted(t, fx, path(t, d+"recent.txt"), base)
	active(t, fx, path(t, d+"visible.txt"))
	create(t, fx, path(t, d+"pending.txt"))
	tomb := softDeleted(t, fx, path(t, d+"purged.txt"), cutoff.Add(-time.Hour))
	_, err := tomb.Purge(domain.SystemActor, base)
	require.NoError(t, err)
	_, err = fx.Files.Update(ctx(t), tomb)
	require.NoError(t, err)
	softDeleted(t, fx, path(t, newOrg()+"/workspace/doc/d1/other-org.txt"), cutoff.Add(-time.Hour))

	got := claimAll(t, fx, org, cutoff, 10)
	require.ElementsMatch(t, recIDs(want), got, "got claimed %v, want the three old soft-deleted records", got)
	for _, r := range want {
		again, err := fx.Files.Get(ctx(t), r.Path())
		require.NoError(t, err)
		require.Equal(t, r.Version(), again.Version(), "a claim that saves nothing changed %s", r.Path())
	}

	_, err = fx.Files.ClaimPurgeBatch(ctx(t), application.PurgeBatchQuery{OrgID: org, Limit: 1}, nil)
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Files.ClaimPurgeBatch(ctx(t), application.PurgeBatchQuery{Before: cutoff, OrgID: org}, nil)
	requireKind(t, err, domain.ErrInvalid, "")
}

// testPurgeClaimPaging: AfterID pages through every due record once.
func testPurgeClaimPaging(t *testing.T, fx Fixture) {
	org := newOrg()
	var want []*domain.FileRecord
	for i := range 7 {
		want = append(want, softDeleted(t, fx, path(t, fmt.Sprintf("%s/accounting/export/e%d/x.csv", org, i)), base.Add(-48*time.Hour)))
	}
	got := claimAll(t, fx, org, base, 3)
	require.Len(t, got, 7, "got %v", got)
	require.ElementsMatch(t, recIDs(want), got)
}

// testPurgeClaimSaves: what work returns is saved optimistically; a work
// error saves nothing and is returned.
func testPurgeClaimSaves(t *testing.T, fx Fixture) {
	org := newOrg()
	a := softDeleted(t, fx, path(t, org+"/workspace/pdf/p1/a.pdf"), base.Add(-48*time.Hour))
	b := softDeleted(t, fx, path(t, org+"/workspace/pdf/p1/b.pdf"), base.Add(-48*time.Hour))
	q := application.PurgeBatchQuery{Before: base, OrgID: org, Limit: 10}

	boom := errors.New("work failed")
	_, err := fx.Files.ClaimPurgeBatch(ctx(t), q, func(_ context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
		for _, r := range due {
			_, err := r.Purge(domain.SystemActor, base)
			require.NoError(t, err)
		}
		return due, boom
	})
	require.ErrorIs(t, err, boom)
	got, err := fx.Files.Get(ctx(t), a.Path())
	require.NoError(t, err)
	require.Equal(t, domain.StateActive, got.State(), "a failed batch saved a tombstone")

	saved, err := fx.Files.ClaimPurgeBatch(ctx(t), q, func(_ context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
		require.Len(t, due, 2)
		var save []*domain.FileRecord
		for _, r := range due {
			if r.ID() == a.ID() {
				_, err := r.Purge(domain.SystemActor, base)
				require.NoError(t, err)
				save = append(save, r)
			}
		}
		return save, nil
	})
	require.NoError(t, err)
	require.Len(t, saved, 1)
	require.Equal(t, a.Version()+1, saved[0].Version())
	got, err = fx.Files.Get(ctx(t), a.Path())
	require.NoError(t, err)
	require.Equal(t, domain.StatePurged, got.State())
	require.Empty(t, got.Content().BlobKey)
	got, err = fx.Files.Get(ctx(t), b.Path())
	require.NoError(t, err)
	require.Equal(t, b.Version(), got.Version(), "a record work did not return was saved")
	require.Equal(t, []string{b.ID()}, claimAll(t, fx, org, base, 10), "the tombstone is still due")
}

// testPurgeClaimConcurrent has every worker claim and purge small batches
// of one org at once: each record is claimed and saved by exactly one.
func testPurgeClaimConcurrent(t *testing.T, fx Fixture) {
	org := newOrg()
	var want []*domain.FileRecord
	for i := range 30 {
		want = append(want, softDeleted(t, fx, path(t, fmt.Sprintf("%s/communications/email-attachment/m%d/a.bin", org, i)), base.Add(-48*time.Hour)))
	}
	claimed := make([][]string, workers)
	saved := make([][]string, workers)
	errs := parallel(func(i int) error {
		q := application.PurgeBatchQuery{Before: base, OrgID: org, Limit: 3}
		for {
			var page []*domain.FileRecord
			got, err := fx.Files.ClaimPurgeBatch(ctx(t), q, func(_ context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
				page = due
				for _, r := range due {
					claimed[i] = append(claimed[i], r.ID())
					if _, err := r.Purge(domain.SystemActor, base); err != nil {
						return nil, err
					}
				}
				return due, nil
			})
			if err != nil {
				return err
			}
			saved[i] = append(saved[i], recIDs(got)...)
			if len(page) < q.Limit {
				return nil
			}
			q.AfterID = page[len(page)-1].ID()
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	all, allSaved := slices.Concat(claimed...), slices.Concat(saved...)
	slices.Sort(all)
	slices.Sort(allSaved)
	require.Equal(t, recIDs(want), all, "every record claimed exactly once")
	require.Equal(t, recIDs(want), allSaved, "every record saved exactly once")
	require.Empty(t, claimAll(t, fx, org, base, 10))
}

// testListOrgs: every org with records is listed once, page after page.
func testListOrgs(t *testing.T, fx Fixture) {
	mine := []string{newOrg(), newOrg(), newOrg()}
	for _, org := range mine {
		active(t, fx, path(t, org+"/workspace/doc/d/a.txt"))
		create(t, fx, path(t, org+"/workspace/doc/d/b.txt"))
	}
	var got []string
	after := ""
	for range 10000 {
		page, err := fx.Files.ListOrgs(ctx(t), after, 2)
		require.NoError(t, err)
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1]
	}
	for _, org := range mine {
		require.Equal(t, 1, countOf(got, org), "got %s %d times in %v, want once", org, countOf(got, org), got)
	}
	_, err := fx.Files.ListOrgs(ctx(t), "", 0)
	requireKind(t, err, domain.ErrInvalid, "")
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
