package repotest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/domain"
)

// testListLapsed: ListLapsed returns the records whose reservation's lease
// lapsed (pending records and overwrites in progress alike, legacy
// reservations without a lease by their age), page by page in id order,
// and never a live lease or a record without a reservation.
func testListLapsed(t *testing.T, fx Fixture) {
	org := newOrg()
	create := func(name string, lease time.Duration) *domain.FileRecord {
		rec, err := domain.NewPendingRecord(newID(), path(t, org+"/workspace/doc/d1/"+name), name, "user-1", "up-"+newID(), base, lease)
		require.NoError(t, err)
		rec, err = fx.Files.Create(ctx(t), rec)
		require.NoError(t, err)
		return rec
	}
	create("lapsed.pdf", time.Second)
	create("live.pdf", time.Hour)
	renewed := create("renewed.pdf", time.Second)
	require.NoError(t, renewed.ExtendLease(renewed.PendingUploadID(), base.Add(time.Hour)))
	_, err := fx.Files.Update(ctx(t), renewed)
	require.NoError(t, err)

	// An overwrite in progress whose lease lapsed, on an active record.
	over := create("over.pdf", time.Second)
	_, err = over.CompleteUpload(over.PendingUploadID(), domain.Content{BlobKey: "k", ContentType: "text/plain",
		SHA256: "0000000000000000000000000000000000000000000000000000000000000000"}, "over.pdf", "user-1", base)
	require.NoError(t, err)
	require.NoError(t, over.BeginUpload("up-"+newID(), true, base, 2*time.Second))
	over, err = fx.Files.Update(ctx(t), over)
	require.NoError(t, err)
	committed := create("committed.pdf", time.Second)
	_, err = committed.CompleteUpload(committed.PendingUploadID(), domain.Content{BlobKey: "k2", ContentType: "text/plain",
		SHA256: "0000000000000000000000000000000000000000000000000000000000000000"}, "c.pdf", "user-1", base)
	require.NoError(t, err)
	_, err = fx.Files.Update(ctx(t), committed)
	require.NoError(t, err)

	ours := func(before time.Time) []string {
		var got []string
		after := ""
		for {
			page, err := fx.Files.ListLapsed(ctx(t), before, after, 2)
			require.NoError(t, err)
			for _, r := range page {
				require.Greater(t, r.ID(), after, "pages in ascending id order")
				after = r.ID()
				require.True(t, r.LeaseLapsed(before), "listed %s, whose lease holds", r.Path())
				if r.Path().OrgID() == org {
					got = append(got, r.Path().Filename())
				}
			}
			if len(page) < 2 {
				return got
			}
		}
	}
	require.Empty(t, ours(base.Add(time.Second-time.Microsecond)))
	require.ElementsMatch(t, []string{"lapsed.pdf"}, ours(base.Add(time.Second)))
	require.ElementsMatch(t, []string{"lapsed.pdf", "over.pdf"}, ours(base.Add(time.Minute)))
	require.ElementsMatch(t, []string{"lapsed.pdf", "over.pdf", "live.pdf", "renewed.pdf"}, ours(base.Add(2*time.Hour)))

	_, err = fx.Files.ListLapsed(ctx(t), time.Time{}, "", 1)
	requireKind(t, err, domain.ErrInvalid, "")
	_, err = fx.Files.ListLapsed(ctx(t), base, "", 0)
	requireKind(t, err, domain.ErrInvalid, "")
}
