package application_test

import (
	"context"
	"io"
	"sync"

	"storagegw/application"
	"storagegw/domain"
)

// Fault-injecting wrappers around the fakes: each fails the next call of a
// given kind once (or always), then behaves as the wrapped fake.

var errInjected = domain.Wrap(domain.ErrUnavailable, "injected", "Injected failure.", io.ErrClosedPipe)

type faultyFiles struct {
	application.FileRepository
	mu sync.Mutex
	// failCreate fails every Create; failCommit fails the next n Updates
	// that commit content (active, no pending upload).
	failCreate bool
	failCommit int
	failGet    bool
	commitErr  error // what a failed commit returns; errInjected when nil
	createErr  error // what a failed Create returns; errInjected when nil
}

func (f *faultyFiles) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failCreate, f.failCommit, f.failGet = false, 0, false
}

func (f *faultyFiles) Create(ctx context.Context, r *domain.FileRecord) (*domain.FileRecord, error) {
	if f.failCreate && f.createErr != nil {
		return nil, f.createErr
	}
	if f.failCreate {
		return nil, errInjected
	}
	return f.FileRepository.Create(ctx, r)
}

func (f *faultyFiles) Get(ctx context.Context, p domain.StoragePath) (*domain.FileRecord, error) {
	if f.failGet {
		return nil, errInjected
	}
	return f.FileRepository.Get(ctx, p)
}

func (f *faultyFiles) Update(ctx context.Context, r *domain.FileRecord) (*domain.FileRecord, error) {
	f.mu.Lock()
	commit := r.State() == domain.StateActive && r.PendingUploadID() == "" && !r.Deleted()
	fail := commit && f.failCommit > 0
	if fail {
		f.failCommit--
	}
	f.mu.Unlock()
	if fail && f.commitErr != nil {
		return nil, f.commitErr
	}
	if fail {
		return nil, errInjected
	}
	return f.FileRepository.Update(ctx, r)
}

type faultyBlobs struct {
	application.BlobStore
	failPut    bool
	failDelete bool
	failOpen   bool
	putErr     error // what a failed Put returns; errInjected when nil
	// hangDelete, when set, makes Delete block until its context ends or
	// the channel is closed, as a black-holed store would, and fail.
	hangDelete chan struct{}
	deleting   chan struct{} // closed once a hung Delete started, when set
}

func (b *faultyBlobs) Put(ctx context.Context, key string, r io.Reader, ct string) (application.BlobInfo, error) {
	if b.failPut {
		// Read a little first, as a real store would before failing.
		_, _ = io.CopyN(io.Discard, r, 16)
		if b.putErr != nil {
			return application.BlobInfo{}, b.putErr
		}
		return application.BlobInfo{}, errInjected
	}
	return b.BlobStore.Put(ctx, key, r, ct)
}

func (b *faultyBlobs) Delete(ctx context.Context, key string) error {
	if b.hangDelete != nil {
		if b.deleting != nil {
			close(b.deleting)
		}
		select {
		case <-ctx.Done():
		case <-b.hangDelete:
		}
		return errInjected
	}
	if b.failDelete {
		return errInjected
	}
	return b.BlobStore.Delete(ctx, key)
}

func (b *faultyBlobs) Open(ctx context.Context, key string, rng application.Range) (io.ReadCloser, application.BlobInfo, error) {
	if b.failOpen {
		return nil, application.BlobInfo{}, errInjected
	}
	return b.BlobStore.Open(ctx, key, rng)
}

type faultyAudit struct {
	application.AuditLog
	fail bool
	hang bool // Append blocks until its context ends, as a black-holed database would
}

func (a *faultyAudit) Append(ctx context.Context, e *domain.AuditEvent) error {
	if a.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if a.fail {
		return errInjected
	}
	return a.AuditLog.Append(ctx, e)
}
