package repotest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// runUsage is the suite of the usage the repository keeps: it follows
// every write, in the write's transaction, and equals a recount.
func runUsage(t *testing.T, fx Fixture) {
	t.Run("FollowsWrites", func(t *testing.T) { t.Parallel(); testUsageFollowsWrites(t, fx) })
	t.Run("OrgUsageClaims", func(t *testing.T) { t.Parallel(); testOrgUsageClaims(t, fx) })
	t.Run("Concurrent", func(t *testing.T) { t.Parallel(); testUsageConcurrent(t, fx) })
	t.Run("ConcurrentExact", func(t *testing.T) { t.Parallel(); testUsageConcurrentExact(t, fx) })
	if fx.Tx != nil {
		t.Run("WritesDoNotQueue", func(t *testing.T) { t.Parallel(); testUsageWritesDoNotQueue(t, fx) })
		t.Run("RolledBack", func(t *testing.T) { t.Parallel(); testUsageRolledBack(t, fx) })
		t.Run("CheckAndReserve", func(t *testing.T) { t.Parallel(); testUsageCheckAndReserve(t, fx) })
	}
	if fx.Exec != nil {
		t.Run("RecountFix", func(t *testing.T) { t.Parallel(); testUsageRecountFix(t, fx) })
		t.Run("RecountFixUnderWrites", func(t *testing.T) { t.Parallel(); testUsageRecountFixUnderWrites(t, fx) })
	}
}

// requireUsage fails unless org's kept usage is want (per "system/type")
// and equals a recount.
func requireUsage(t *testing.T, fx Fixture, org string, want map[string]domain.Usage) {
	t.Helper()
	got, err := fx.Files.Usage(ctx(t), org)
	require.NoError(t, err)
	gotMap := map[string]domain.Usage{}
	for _, e := range got {
		require.Equal(t, org, e.OrgID)
		gotMap[string(e.System)+"/"+string(e.ObjectType)] = e.Usage
	}
	if want == nil {
		want = map[string]domain.Usage{}
	}
	require.Equal(t, want, gotMap, "kept usage of %s", org)
	recount, err := fx.Files.RecountUsage(ctx(t), org, false)
	require.NoError(t, err)
	require.Equal(t, got, recount, "kept usage of %s against a recount", org)
}

// sized completes rec's upload with size bytes.
func sized(t *testing.T, fx Fixture, rec *domain.FileRecord, size int64) *domain.FileRecord {
	t.Helper()
	c := content(rec.Path(), rec.PendingUploadID())
	c.SizeBytes = size
	_, err := rec.CompleteUpload(rec.PendingUploadID(), c, "orig.pdf", "user-1", base)
	require.NoError(t, err)
	got, err := fx.Files.Update(ctx(t), rec)
	require.NoError(t, err)
	return got
}

func testUsageFollowsWrites(t *testing.T, fx Fixture) {
	org := newOrg()
	doc, receipt := path(t, org+"/workspace/doc/d1/a.pdf"), path(t, org+"/accounting/receipt/r1/b.pdf")
	a := create(t, fx, doc)
	requireUsage(t, fx, org, nil) // a reservation uses nothing
	a = sized(t, fx, a, 100)
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 100, Files: 1}})

	// An overwrite replaces the size; a lease renewal moves nothing.
	require.NoError(t, a.BeginUpload("up-2", true, base, time.Minute))
	a, err := fx.Files.Update(ctx(t), a)
	require.NoError(t, err)
	require.NoError(t, a.ExtendLease("up-2", base.Add(time.Hour)))
	a, err = fx.Files.Update(ctx(t), a)
	require.NoError(t, err)
	a = sized(t, fx, a, 250)
	b := sized(t, fx, create(t, fx, receipt), 7)
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 250, Files: 1}, "accounting/receipt": {Bytes: 7, Files: 1}})

	// A soft-deleted file still holds its blob; purging it frees it.
	require.NoError(t, a.SoftDelete("user-1", base))
	_, err = fx.Files.Update(ctx(t), a)
	require.NoError(t, err)
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 250, Files: 1}, "accounting/receipt": {Bytes: 7, Files: 1}})
	purged, err := fx.Files.ClaimPurgeBatch(ctx(t), application.PurgeBatchQuery{Before: base.Add(time.Hour), OrgID: org, Limit: 10},
		func(_ context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
			for _, r := range due {
				if _, err := r.Purge("system", base); err != nil {
					return nil, err
				}
			}
			return due, nil
		})
	require.NoError(t, err)
	require.Len(t, purged, 1)
	requireUsage(t, fx, org, map[string]domain.Usage{"accounting/receipt": {Bytes: 7, Files: 1}})

	// A hard delete frees the rest; deleting the tombstone moves nothing.
	require.NoError(t, fx.Files.Delete(ctx(t), b))
	require.NoError(t, fx.Files.Delete(ctx(t), purged[0]))
	requireUsage(t, fx, org, nil)

	// A lost optimistic write moves nothing either.
	c := sized(t, fx, create(t, fx, doc), 9)
	stale := c
	require.NoError(t, c.SoftDelete("user-1", base))
	_, err = fx.Files.Update(ctx(t), c)
	require.NoError(t, err)
	err = fx.Files.Delete(ctx(t), stale)
	requireKind(t, err, domain.ErrExists, domain.CodeConcurrentUpdate)
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 9, Files: 1}})
}

func testOrgUsageClaims(t *testing.T, fx Fixture) {
	org := newOrg()
	_, _, err := fx.Files.OrgUsage(ctx(t), "", base)
	requireKind(t, err, domain.ErrInvalid, "")
	used, inflight, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.True(t, used.IsZero() && inflight.IsZero(), "an empty org uses %v and claims %v", used, inflight)

	a := sized(t, fx, create(t, fx, path(t, org+"/workspace/doc/d1/a.pdf")), 100)
	// A new path reserved with a declared size, an overwrite with one, a
	// lapsed reservation.
	b := create(t, fx, path(t, org+"/workspace/doc/d2/b.pdf"))
	require.NoError(t, b.DeclareSize(b.PendingUploadID(), 40))
	_, err = fx.Files.Update(ctx(t), b)
	require.NoError(t, err)
	require.NoError(t, a.BeginUpload("up-over", true, base, time.Minute))
	require.NoError(t, a.DeclareSize("up-over", 30))
	_, err = fx.Files.Update(ctx(t), a)
	require.NoError(t, err)
	lapsed, err := domain.NewPendingRecord(newID(), path(t, org+"/workspace/doc/d3/c.pdf"), "c.pdf", "user-1", "up-old",
		base.Add(-time.Hour), time.Minute)
	require.NoError(t, err)
	require.NoError(t, lapsed.DeclareSize("up-old", 1000))
	_, err = fx.Files.Create(ctx(t), lapsed)
	require.NoError(t, err)
	// Another org's claims are its own.
	other := create(t, fx, path(t, newOrg()+"/workspace/doc/d1/a.pdf"))
	require.NoError(t, other.DeclareSize(other.PendingUploadID(), 5000))
	_, err = fx.Files.Update(ctx(t), other)
	require.NoError(t, err)

	used, inflight, err = fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, domain.Usage{Bytes: 100, Files: 1}, used)
	require.Equal(t, domain.Usage{Bytes: 70, Files: 1}, inflight, "claims: 40 bytes and a file, 30 bytes; the lapsed one none")
}

func testUsageConcurrent(t *testing.T, fx Fixture) {
	org := newOrg()
	// A takeover's clock: every attempt of any worker is later than every
	// reservation taken before it (a minute's lease, two minutes a tick),
	// so a takeover never finds a live reservation of an earlier attempt.
	var tick atomic.Int64
	errs := parallel(func(i int) error {
		p := path(t, fmt.Sprintf("%s/communications/message-attachment/m%d/a.pdf", org, i%5))
		rec, err := domain.NewPendingRecord(newID(), p, "a.pdf", "user-1", fmt.Sprintf("up-%d", i), base, time.Minute)
		if err != nil {
			return err
		}
		var last error
		for attempt := 0; attempt < 200; attempt++ {
			got, err := fx.Files.Create(ctx(t), rec)
			if err != nil {
				// Back off, more with every lost round, so that the workers
				// of one path do not take it over from each other forever.
				time.Sleep(time.Duration(rand.IntN(1+4*attempt)) * time.Millisecond)
				existing, gerr := fx.Files.Get(ctx(t), p)
				if gerr != nil {
					last = gerr
					continue
				}
				// Later attempts take over reservations that lost their commit.
				now := base.Add(time.Duration(tick.Add(1)*2) * time.Minute)
				if err := existing.BeginUpload(fmt.Sprintf("up-%d-%d", i, attempt), true, now, time.Minute); err != nil {
					last = err
					continue
				}
				if got, err = fx.Files.Update(ctx(t), existing); err != nil {
					last = err
					continue
				}
			}
			c := content(p, got.PendingUploadID())
			c.SizeBytes = int64(10 + i)
			if _, err := got.CompleteUpload(got.PendingUploadID(), c, "a.pdf", "user-1", base); err != nil {
				return err
			}
			if got, err = fx.Files.Update(ctx(t), got); err != nil {
				if !errors.Is(err, domain.ErrNotFound) && !errors.Is(err, domain.ErrExists) {
					return fmt.Errorf("worker %d: commit: %w", i, err)
				}
				last = err
				continue
			}
			if i%3 == 0 {
				_ = fx.Files.Delete(ctx(t), got) // may lose to an overwrite: either way usage stays exact
			}
			return nil
		}
		return fmt.Errorf("worker %d never committed: %w", i, last)
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	recount, err := fx.Files.RecountUsage(ctx(t), org, false)
	require.NoError(t, err)
	require.Len(t, recount, 1)
	got, err := fx.Files.Usage(ctx(t), org)
	require.NoError(t, err)
	require.Equal(t, recount, got, "kept usage after concurrent writes against a recount")
	used, _, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, recount[0].Usage, used)
}

func testUsageRolledBack(t *testing.T, fx Fixture) {
	org := newOrg()
	a := create(t, fx, path(t, org+"/workspace/doc/d1/a.pdf"))
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		_, err := a.CompleteUpload(a.PendingUploadID(), content(a.Path(), a.PendingUploadID()), "a.pdf", "user-1", base)
		require.NoError(t, err)
		if _, err := fx.Files.Update(ctx, a); err != nil {
			return err
		}
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	requireUsage(t, fx, org, nil)
}

// testUsageCheckAndReserve: workers that each check the quota and reserve
// in one transaction, as uploads do, never claim more than the quota.
func testUsageCheckAndReserve(t *testing.T, fx Fixture) {
	org := newOrg()
	quota := domain.Quota{Bytes: 1000, Files: 100}
	var won atomic.Int64
	errs := parallel(func(i int) error {
		return fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
			used, inflight, err := fx.Files.OrgUsage(ctx, org, base)
			if err != nil {
				return err
			}
			if err := quota.Fits(org, used, inflight, domain.Usage{Bytes: 300, Files: 1}); err != nil {
				return nil // refused: fine
			}
			p := path(t, fmt.Sprintf("%s/workspace/doc/d%d/a.pdf", org, i))
			rec, err := domain.NewPendingRecord(newID(), p, "a.pdf", "user-1", "up-1", base, time.Minute)
			if err != nil {
				return err
			}
			if err := rec.DeclareSize("up-1", 300); err != nil {
				return err
			}
			if _, err := fx.Files.Create(ctx, rec); err != nil {
				return err
			}
			won.Add(1)
			return nil
		})
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(3), won.Load(), "reservations of 300 bytes under a quota of 1000")
	_, inflight, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, domain.Usage{Bytes: 900, Files: 3}, inflight)
}

func testUsageRecountFix(t *testing.T, fx Fixture) {
	org := newOrg()
	sized(t, fx, create(t, fx, path(t, org+"/workspace/doc/d1/a.pdf")), 100)
	require.NoError(t, fx.Exec(ctx(t), "UPDATE storage_usage SET bytes = bytes + 7, files = files + 1 WHERE org_id = '"+org+"'"))
	got, err := fx.Files.Usage(ctx(t), org)
	require.NoError(t, err)
	require.Equal(t, []domain.UsageEntry{{OrgID: org, System: "workspace", ObjectType: "doc", Usage: domain.Usage{Bytes: 107, Files: 2}}}, got)
	fixed, err := fx.Files.RecountUsage(ctx(t), org, true)
	require.NoError(t, err)
	want := []domain.UsageEntry{{OrgID: org, System: "workspace", ObjectType: "doc", Usage: domain.Usage{Bytes: 100, Files: 1}}}
	require.Equal(t, want, fixed)
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 100, Files: 1}})
	used, _, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, domain.Usage{Bytes: 100, Files: 1}, used, "the org's total is fixed too")
}

// testUsageWritesDoNotQueue: with no quota in play, a usage write of an
// org does not wait for another transaction holding a usage write of the
// same org, system and object type (the store keeps more than one row of
// it); on a one-writer store it completes once that transaction commits.
// Either way the usage is then exact.
func testUsageWritesDoNotQueue(t *testing.T, fx Fixture) {
	org := newOrg()
	sized(t, fx, create(t, fx, path(t, org+"/workspace/doc/d0/a.pdf")), 5) // a committed row to hold
	held := create(t, fx, path(t, org+"/workspace/doc/d1/a.pdf"))
	other := create(t, fx, path(t, org+"/workspace/doc/d2/a.pdf"))

	inside, release := make(chan struct{}), make(chan struct{})
	txDone := make(chan error, 1)
	go func() {
		txDone <- fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
			c := content(held.Path(), held.PendingUploadID())
			c.SizeBytes = 100
			if _, err := held.CompleteUpload(held.PendingUploadID(), c, "a.pdf", "user-1", base); err != nil {
				return err
			}
			if _, err := fx.Files.Update(ctx, held); err != nil {
				return err
			}
			close(inside)
			<-release
			return nil
		})
	}()
	select {
	case <-inside:
	case err := <-txDone:
		t.Fatalf("the holding transaction ended early: %v", err)
	}
	written := make(chan error, 1)
	go func() {
		c := content(other.Path(), other.PendingUploadID())
		c.SizeBytes = 20
		if _, err := other.CompleteUpload(other.PendingUploadID(), c, "a.pdf", "user-1", base); err != nil {
			written <- err
			return
		}
		_, err := fx.Files.Update(ctx(t), other)
		written <- err
	}()
	if fx.OneWriter {
		close(release)
		require.NoError(t, <-txDone)
		require.NoError(t, <-written)
	} else {
		select {
		case err := <-written:
			require.NoError(t, err, "the second usage write")
		case <-time.After(10 * time.Second):
			close(release)
			<-txDone
			<-written
			t.Fatal("a usage write waited for another transaction's usage write of the same org")
		}
		close(release)
		require.NoError(t, <-txDone)
	}
	requireUsage(t, fx, org, map[string]domain.Usage{"workspace/doc": {Bytes: 125, Files: 3}})
	used, _, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, domain.Usage{Bytes: 125, Files: 3}, used)
}

// testUsageConcurrentExact: many writers adding to and taking from one
// org's usage at once leave it exact, per system and object type and in
// total.
func testUsageConcurrentExact(t *testing.T, fx Fixture) {
	org := newOrg()
	errs := parallel(func(i int) error {
		for n := range 4 {
			kind := []string{"workspace/doc", "accounting/receipt"}[(i+n)%2]
			p := path(t, fmt.Sprintf("%s/%s/w%d-%d/a.pdf", org, kind, i, n))
			rec, err := domain.NewPendingRecord(newID(), p, "a.pdf", "user-1", "up-1", base, time.Minute)
			if err != nil {
				return err
			}
			if rec, err = fx.Files.Create(ctx(t), rec); err != nil {
				return err
			}
			c := content(p, "up-1")
			c.SizeBytes = int64(1 + i + n)
			if _, err := rec.CompleteUpload("up-1", c, "a.pdf", "user-1", base); err != nil {
				return err
			}
			if rec, err = fx.Files.Update(ctx(t), rec); err != nil {
				return err
			}
			if n == 3 {
				if err := fx.Files.Delete(ctx(t), rec); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	want := map[string]domain.Usage{}
	var total domain.Usage
	for i := range workers {
		for n := range 3 {
			u := domain.Usage{Bytes: int64(1 + i + n), Files: 1}
			kind := []string{"workspace/doc", "accounting/receipt"}[(i+n)%2]
			want[kind], total = want[kind].Plus(u), total.Plus(u)
		}
	}
	requireUsage(t, fx, org, want)
	used, _, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Equal(t, total, used)
}

// testUsageRecountFixUnderWrites: a fix that runs while writers move the
// usage leaves it equal to a recount once they are done: it corrects the
// drift it found, and not the writes it did not see.
func testUsageRecountFixUnderWrites(t *testing.T, fx Fixture) {
	org := newOrg()
	sized(t, fx, create(t, fx, path(t, org+"/workspace/doc/d0/a.pdf")), 100)
	require.NoError(t, fx.Exec(ctx(t), "UPDATE storage_usage SET bytes = bytes + 7, files = files + 1 WHERE org_id = '"+org+"'"))
	stop := make(chan struct{})
	writers := make(chan error, 4)
	for w := range 4 {
		go func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					writers <- nil
					return
				default:
				}
				p := path(t, fmt.Sprintf("%s/workspace/doc/w%d-%d/a.pdf", org, w, n))
				rec, err := domain.NewPendingRecord(newID(), p, "a.pdf", "user-1", "up-1", base, time.Minute)
				if err == nil {
					rec, err = fx.Files.Create(ctx(t), rec)
				}
				if err == nil {
					_, err = rec.CompleteUpload("up-1", content(p, "up-1"), "a.pdf", "user-1", base)
				}
				if err == nil {
					_, err = fx.Files.Update(ctx(t), rec)
				}
				if err != nil {
					writers <- err
					return
				}
			}
		}()
	}
	for range 3 {
		_, err := fx.Files.RecountUsage(ctx(t), org, true)
		require.NoError(t, err)
	}
	close(stop)
	for range 4 {
		require.NoError(t, <-writers)
	}
	recount, err := fx.Files.RecountUsage(ctx(t), org, false)
	require.NoError(t, err)
	got, err := fx.Files.Usage(ctx(t), org)
	require.NoError(t, err)
	require.Equal(t, recount, got, "kept usage after fixes among writers against a recount")
	used, _, err := fx.Files.OrgUsage(ctx(t), org, base)
	require.NoError(t, err)
	require.Len(t, recount, 1)
	require.Equal(t, recount[0].Usage, used)
}
