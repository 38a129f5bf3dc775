package repotest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

const workers = 20

// parallel runs fn in workers goroutines released at once and returns their
// errors by worker index.
func parallel(fn func(i int) error) []error {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, workers)
	)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// requireOneWinner fails unless exactly one error is nil and every other
// matches kind with code.
func requireOneWinner(t *testing.T, errs []error, kind error, code string) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		requireKind(t, err, kind, code)
	}
	require.Equal(t, 1, wins, "got %d successful writers, want exactly 1", wins)
}

func testConcurrentCreate(t *testing.T, fx Fixture) {
	p := path(t, newOrg()+"/communications/email-attachment/m1/invoice.pdf")
	ids := make([]string, workers)
	for i := range ids {
		ids[i] = newID()
	}
	errs := parallel(func(i int) error {
		rec, err := domain.NewPendingRecord(ids[i], p, "invoice.pdf", fmt.Sprintf("user-%d", i), "up-"+ids[i], base, time.Minute)
		if err != nil {
			return err
		}
		_, err = fx.Files.Create(ctx(t), rec)
		return err
	})
	requireOneWinner(t, errs, domain.ErrExists, "")
	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	require.Nil(t, errs[slices.Index(ids, got.ID())], "the stored record is not the winner's")
}

// testConcurrentGets: Gets of many paths at once, some stored, some not,
// some asked twice, each get their own record or not_found; and a Get
// right after a Create sees it, however many Gets run beside it (an
// adapter may share one query among concurrent Gets).
func testConcurrentGets(t *testing.T, fx Fixture) {
	org := newOrg()
	stored := map[domain.StoragePath]string{}
	var paths []domain.StoragePath
	for i := range workers {
		p := path(t, fmt.Sprintf("%s/accounting/receipt/r%d/a.pdf", org, i))
		paths = append(paths, p)
		if i%3 != 0 {
			stored[p] = create(t, fx, p).ID()
		}
	}
	errs := parallel(func(i int) error {
		for round := range 5 {
			p := paths[(i+round)%len(paths)]
			got, err := fx.Files.Get(ctx(t), p)
			want, ok := stored[p]
			switch {
			case !ok && !errors.Is(err, domain.ErrNotFound):
				return fmt.Errorf("Get(%s) of no record: got %v, want not_found", p, err)
			case ok && err != nil:
				return fmt.Errorf("Get(%s): %w", p, err)
			case ok && (got.ID() != want || got.Path() != p):
				return fmt.Errorf("Get(%s): got the record %s of %s, want %s", p, got.ID(), got.Path(), want)
			}
		}
		// Read your own write, with the other workers reading.
		p := path(t, fmt.Sprintf("%s/accounting/receipt/new%d/a.pdf", org, i))
		rec, err := domain.NewPendingRecord(newID(), p, "a.pdf", "user-1", "up-"+newID(), base, time.Minute)
		if err != nil {
			return err
		}
		if _, err := fx.Files.Create(ctx(t), rec); err != nil {
			return err
		}
		if got, err := fx.Files.Get(ctx(t), p); err != nil || got.ID() != rec.ID() {
			return fmt.Errorf("Get right after Create(%s): got %v, want the record created", p, err)
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
}

func testConcurrentUpdate(t *testing.T, fx Fixture) {
	p := path(t, newOrg()+"/workspace/slide/deck1/deck.pptx")
	rec := active(t, fx, p)
	errs := parallel(func(i int) error {
		mine, err := domain.RehydrateFileRecord(rec.Data())
		if err != nil {
			return err
		}
		if err := mine.BeginUpload(fmt.Sprintf("up-%d", i), true, base.Add(time.Minute), time.Minute); err != nil {
			return err
		}
		_, err = fx.Files.Update(ctx(t), mine)
		return err
	})
	requireOneWinner(t, errs, domain.ErrExists, domain.CodeConcurrentUpdate)
	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	require.Equal(t, rec.Version()+1, got.Version())
	require.Nil(t, errs[slices.Index(uploadIDs(), got.PendingUploadID())], "the stored reservation is not the winner's")
}

func uploadIDs() []string {
	out := make([]string, workers)
	for i := range out {
		out[i] = fmt.Sprintf("up-%d", i)
	}
	return out
}

// testConcurrentRetries has every worker read, change and write one record
// until it wins: each version is won by exactly one worker, and no change is
// lost.
func testConcurrentRetries(t *testing.T, fx Fixture) {
	p := path(t, newOrg()+"/accounting/invoice/inv1/inv.pdf")
	start := active(t, fx, p)
	won := make([]int64, workers)
	errs := parallel(func(i int) error {
		for attempt := 0; attempt < 10*workers; attempt++ {
			cur, err := fx.Files.Get(ctx(t), p)
			if err != nil {
				return err
			}
			c := cur.Content()
			c.SizeBytes++ // a counter only a lost update would miss
			upload := fmt.Sprintf("w%d-%d", i, attempt)
			if err := cur.BeginUpload(upload, true, base, time.Nanosecond); err != nil {
				return err
			}
			if _, err := cur.CompleteUpload(upload, c, "inv.pdf", "user-1", base); err != nil {
				return err
			}
			saved, err := fx.Files.Update(ctx(t), cur)
			if errors.Is(err, domain.ErrExists) {
				continue
			}
			if err != nil {
				return err
			}
			won[i] = saved.Version()
			return nil
		}
		return fmt.Errorf("worker %d never won", i)
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	slices.Sort(won)
	for i, v := range won {
		require.Equal(t, start.Version()+int64(i)+1, v, "got versions %v, want each won once", won)
	}
	got, err := fx.Files.Get(ctx(t), p)
	require.NoError(t, err)
	require.Equal(t, start.Content().SizeBytes+workers, got.Content().SizeBytes)
	require.Equal(t, start.Version()+workers, got.Version())
}

// testAuditConcurrentAppend: 100 callers append 50 events each at once,
// every tenth a second append of an event already stored: each caller
// sees its own result (nil, or ErrExists for the repeats) and every event
// is stored exactly once, none lost.
func testAuditConcurrentAppend(t *testing.T, fx Fixture) {
	const callers, each = 100, 50
	orgs := make([]string, callers)
	want := make([][]string, callers)
	errs := make([][]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for c := range callers {
		orgs[c] = newOrg()
		var evs []*domain.AuditEvent
		for i := range each {
			evs = append(evs, event(t, orgs[c], base.Add(time.Duration(i)*time.Millisecond), nil))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i, e := range evs {
				if i%10 == 9 {
					e = evs[i-1]
				} else {
					want[c] = append(want[c], e.ID())
				}
				errs[c] = append(errs[c], fx.Audit.Append(ctx(t), e))
			}
		}()
	}
	close(start)
	wg.Wait()
	for c := range callers {
		for i, err := range errs[c] {
			if i%10 == 9 {
				requireKind(t, err, domain.ErrExists, "")
			} else {
				require.NoError(t, err, "caller %d, event %d", c, i)
			}
		}
		got := ids(query(t, fx, application.AuditQuery{OrgID: orgs[c]}))
		slices.Reverse(got)
		require.Equal(t, want[c], got, "caller %d: got %d events, want %d, oldest first", c, len(got), len(want[c]))
	}
}
