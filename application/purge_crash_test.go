package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// crashingFiles loses every purge batch after its work ran, as a process
// that dies between removing the blobs and committing the tombstones and
// their events would.
type crashingFiles struct {
	application.FileRepository
}

var errCrash = errors.New("process killed")

func (c crashingFiles) ClaimPurgeBatch(ctx context.Context, q application.PurgeBatchQuery, work application.PurgeWork) ([]*domain.FileRecord, error) {
	_, err := c.FileRepository.ClaimPurgeBatch(ctx, q, func(ctx context.Context, due []*domain.FileRecord) ([]*domain.FileRecord, error) {
		if _, err := work(ctx, due); err != nil {
			return nil, err
		}
		return nil, errCrash
	})
	return nil, err
}

func TestPurgeResumesAfterCrashBetweenSteps(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.softDeleted(t, "org-1", "a.png")
	f.clock.Advance(application.DefaultRetention + time.Hour)
	crashing := application.New(f.faultyBlobs, crashingFiles{f.faultyFiles}, f.faultyAudit, nil, memrepo.NewTransactor(), nil, f.signer, f.clock, application.Options{})
	if _, err := crashing.Purge.Run(context.Background(), application.PurgeCommand{}); !errors.Is(err, errCrash) {
		t.Fatalf("crashing run: got %v", err)
	}
	if len(f.blobKeys(t, rec.Path().String())) != 0 {
		t.Fatal("the crash was not after the blob removal")
	}
	if evs := f.purgeEvents("org-1"); len(evs) != 0 {
		t.Fatalf("got %d PURGE events from the crashed batch, want none (they commit with the tombstones)", len(evs))
	}
	if got := f.record(t, rec.Path()); got.State() != domain.StateActive {
		t.Fatalf("the crashed batch saved its tombstone: %+v", got.Data())
	}
	rep := f.purge(t, application.PurgeCommand{})
	if rep.Purged != 1 || rep.Failures != 0 {
		t.Fatalf("resumed run: got %+v", rep)
	}
	if got := f.record(t, rec.Path()); got.State() != domain.StatePurged {
		t.Errorf("not purged after the resumed run: %+v", got.Data())
	}
	if evs := f.purgeEvents("org-1"); len(evs) != 1 {
		t.Errorf("got %d PURGE events after a crash and a rerun, want exactly 1", len(evs))
	}
}
