package repotest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/domain"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// testPurgeRacing runs several retention purges of one org at once through
// the application, over this store and an in-memory blob store: every due
// file is purged exactly once, with exactly one PURGE event.
func testPurgeRacing(t *testing.T, fx Fixture) {
	const files, purgers = 25, 4
	org := newOrg()
	blobs := blobstoretest.NewMemory()
	var paths []string
	for i := range files {
		rec := softDeleted(t, fx, path(t, fmt.Sprintf("%s/accounting/receipt/r%d/scan.pdf", org, i)), base)
		_, err := blobs.Put(ctx(t), rec.Content().BlobKey, strings.NewReader("%PDF-1.7 receipt"), "application/pdf")
		require.NoError(t, err)
		paths = append(paths, rec.Path().String())
	}
	now := base.Add(application.DefaultRetention + time.Hour)
	app := application.New(blobs, fx.Files, fx.Audit, nil, fx.Tx, nil, nil, fixedClock(now), application.Options{})

	reports := make([]application.PurgeReport, purgers)
	errs := make([]error, purgers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range purgers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			reports[i], errs[i] = app.Purge.Run(ctx(t), application.PurgeCommand{OrgID: org, BatchSize: 3})
		}()
	}
	close(start)
	wg.Wait()
	var purged int64
	for i := range purgers {
		require.NoError(t, errs[i])
		require.Zero(t, reports[i].Failures, "purger %d: %+v", i, reports[i])
		purged += reports[i].Purged
	}
	require.EqualValues(t, files, purged, "files purged over all runs: %+v", reports)

	for _, p := range paths {
		rec, err := fx.Files.Get(ctx(t), path(t, p))
		require.NoError(t, err)
		require.Equal(t, domain.StatePurged, rec.State(), p)
	}
	left, err := blobs.List(ctx(t), org+"/", "", 100)
	require.NoError(t, err)
	require.Empty(t, left, "blobs left behind")

	events, err := fx.Audit.Query(ctx(t), application.AuditQuery{OrgID: org, Action: domain.ActionPurge, Limit: 500})
	require.NoError(t, err)
	perPath := map[string]int{}
	for _, e := range events {
		d := e.Data()
		require.Equal(t, domain.SystemActor, d.Actor.UserID)
		require.Equal(t, domain.RoleSystem, d.Actor.Role)
		require.True(t, d.Success)
		perPath[d.FilePath]++
	}
	for _, p := range paths {
		require.Equal(t, 1, perPath[p], "PURGE events for %s", p)
	}
	require.Len(t, events, files)
}
