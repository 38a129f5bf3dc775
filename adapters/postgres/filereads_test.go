package postgres_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/domain"
)

// TestConcurrentGetsShareQueries: 64 Gets that arrive while the runners
// are busy are answered by a few shared SELECTs, each Get its own record
// (or not_found), on both dialects. The suite's ConcurrentGets checks
// the answers under real timing; this one holds each query 200 ms so the
// Gets are sure to queue.
func TestConcurrentGetsShareQueries(t *testing.T) {
	for name, open := range dialects {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t)
			files := postgres.NewFileRepo(db)
			const gets = 64
			var paths []domain.StoragePath
			ids := map[domain.StoragePath]string{}
			for i := range gets {
				p, err := domain.ParseStoragePath(fmt.Sprintf("org-1/accounting/receipt/r%d/a.pdf", i))
				require.NoError(t, err)
				paths = append(paths, p)
				if i%4 == 0 {
					continue // no record: not_found
				}
				rec, err := domain.NewPendingRecord(fmt.Sprint("id-", i), p, "a.pdf", "user-1", fmt.Sprint("up-", i),
					time.Now(), time.Minute)
				require.NoError(t, err)
				_, err = files.Create(t.Context(), rec)
				require.NoError(t, err)
				ids[p] = rec.ID()
			}
			db.SetFileReadHook(func() { time.Sleep(200 * time.Millisecond) })
			var wg sync.WaitGroup
			errs := make([]error, gets)
			for i, p := range paths {
				wg.Go(func() {
					got, err := files.Get(t.Context(), p)
					want, stored := ids[p]
					switch {
					case !stored && !errors.Is(err, domain.ErrNotFound):
						errs[i] = fmt.Errorf("Get(%s) of no record: %v, want not_found", p, err)
					case stored && (err != nil || got.ID() != want):
						errs[i] = fmt.Errorf("Get(%s): %v, %v; want %s", p, got, err, want)
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			q := db.FileReadQueries()
			require.True(t, q >= 1 && q <= 16, "%d SELECTs for %d concurrent Gets, want 1 to 16", q, gets)
		})
	}
}
