package application

import (
	"context"
	"errors"
	"io"
	"time"

	"storagegw/domain"
)

// TusUploads persists the state of TUS uploads (domain.TusUpload), so that
// any replica continues an upload another one started, and holds their
// leases. Update and Delete are optimistic, like UploadSessions': they
// succeed only while the stored upload has the same id and its version
// equals the upload's Version, and otherwise return an error matching
// domain.ErrExists with code domain.CodeConcurrentUpdate. Every method
// returns domain.ErrUnavailable (wrapped) when the database cannot be
// reached.
type TusUploads interface {
	// Create inserts u and returns it as stored (version 1). An upload
	// with the same id is domain.ErrExists.
	Create(ctx context.Context, u *domain.TusUpload) (*domain.TusUpload, error)

	// Get returns the upload with id; none is domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.TusUpload, error)

	// Update saves u (see the optimistic rule above) and returns it as
	// stored, version advanced. A missing upload is domain.ErrNotFound.
	Update(ctx context.Context, u *domain.TusUpload) (*domain.TusUpload, error)

	// Delete removes u's row (see the optimistic rule above). A missing
	// upload is domain.ErrNotFound.
	Delete(ctx context.Context, u *domain.TusUpload) error

	// ListExpired returns up to limit uploads whose expiry is at or
	// before before and whose id sorts after afterID, in ascending order
	// of id. A zero before or a limit below 1 is domain.ErrInvalid.
	ListExpired(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.TusUpload, error)
}

// PartWriter is the capability of a MultipartStore to take a part's bytes
// from the service itself, as TUS uploads send them: WritePart streams
// exactly size bytes of r as part number part of the upload, replacing an
// earlier upload of that part, and returns its ETag. A reader that ends
// before size bytes or fails stores nothing and returns an error wrapping
// the reader's (a shorter reader: domain.ErrInvalid). An upload the store
// does not know is domain.ErrNotFound; an unreachable store
// domain.ErrUnavailable (wrapped). Memory stays bounded whatever size is.
type PartWriter interface {
	WritePart(ctx context.Context, key, storeUploadID string, part int, r io.Reader, size int64) (etag string, err error)
}

// TusOptions tune TUS uploads. The zero value is usable.
type TusOptions struct {
	// LockTTL is how long a request's lease on an upload holds without
	// renewal; a PATCH renews it every LockTTL/3 while its bytes stream
	// and the upload completes, so a replica that stopped mid-request
	// blocks the upload at most that long. Default Options.UploadLease
	// (STORAGEGW_UPLOAD_LEASE).
	LockTTL time.Duration
}

// tus is what the TUS use cases share: the multipart use cases they reuse,
// the upload state and the store's part writer.
type tus struct {
	*multipart
	uploads  TusUploads
	parts    PartWriter
	opts     TusOptions
	initiate *InitiateMultipart
	complete *CompleteMultipart
	abort    *AbortMultipart
}

// EnableTus adds the TUS use cases (TusCreate, TusPatch, TusStatus,
// TusTerminate) over uploads and parts, and has CleanupUploads remove
// expired TUS state and segments too. Without multipart uploads (no
// sessions, or a store that is not a MultipartStore) they answer
// domain.ErrUnavailable.
func (a *Application) EnableTus(uploads TusUploads, parts PartWriter, o TusOptions) {
	mp := a.InitiateMultipart.multipart
	if o.LockTTL <= 0 {
		o.LockTTL = mp.opts.UploadLease
	}
	mp.tusUploads = uploads
	t := &tus{multipart: mp, uploads: uploads, parts: checkedPartWriter{parts}, opts: o,
		initiate: a.InitiateMultipart, complete: a.CompleteMultipart, abort: a.AbortMultipart}
	a.TusCreate, a.TusPatch, a.TusStatus, a.TusTerminate = &TusCreate{t}, &TusPatch{t}, &TusStatus{t}, &TusTerminate{t}
}

// load returns the TUS upload id for the caller, hiding those it may not
// see behind errNoUpload. It records the upload's path in e.
func (t *tus) load(ctx context.Context, c Caller, id string, e *entry) (*domain.TusUpload, error) {
	if err := c.Principal.Authorize(domain.PermUpload); err != nil {
		return nil, err
	}
	if _, err := t.store(); err != nil {
		return nil, err
	}
	if id == "" || len(id) > 64 || domain.CheckText("upload_id", id) != nil {
		return nil, errNoUpload()
	}
	u, err := t.uploads.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !u.AccessibleBy(c.Principal) {
		return nil, errNoUpload()
	}
	if err != nil {
		return nil, err
	}
	e.forPath(u.Path())
	return u, nil
}

// lock takes u's lease for a new owner and returns u as stored. A lease
// another request holds, or lost to one meanwhile, is upload_locked.
func (t *tus) lock(ctx context.Context, u *domain.TusUpload, now time.Time) (*domain.TusUpload, error) {
	if err := u.Lock(newID(), now, t.opts.LockTTL); err != nil {
		return nil, err
	}
	locked, err := t.uploads.Update(ctx, u)
	if isConflict(err) {
		return nil, domain.Errorf(domain.ErrExists, "upload_locked",
			"Another request is writing to this upload; send a HEAD request and retry once it ends.")
	}
	if errors.Is(err, domain.ErrNotFound) {
		return nil, errNoUpload()
	}
	return locked, err
}

// unlock gives u's lease back, detached from the request; a failure is
// reported and the lease runs out by itself.
func (t *tus) unlock(ctx context.Context, u *domain.TusUpload) {
	dctx, cancel := detached(ctx)
	defer cancel()
	u.Unlock(t.clock.Now())
	if _, err := t.uploads.Update(dctx, u); err != nil && !errors.Is(err, domain.ErrNotFound) {
		t.report(ctx, "unlock tus upload", err)
	}
}

// forget removes u's segments and then its state, detached from the
// request; failures are reported and left to the clean-up.
func (t *tus) forget(ctx context.Context, u *domain.TusUpload, segments []string) {
	dctx, cancel := detached(ctx)
	defer cancel()
	t.deleteSegments(dctx, segments)
	if err := t.uploads.Delete(dctx, u); err != nil && !errors.Is(err, domain.ErrNotFound) {
		t.report(ctx, "delete tus upload", err)
	}
}

// deleteSegments removes segment blobs; a failure is reported (the
// clean-up and reconciliation remove what is left).
func (t *tus) deleteSegments(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := t.blobs.Delete(ctx, k); err != nil {
			t.report(ctx, "delete tus segment", err)
		}
	}
}

// segmentKeys lists the keys of u's segments.
func segmentKeys(u *domain.TusUpload) []string {
	_, _, segs := u.Pending()
	keys := make([]string, 0, len(segs))
	for _, s := range segs {
		keys = append(keys, u.SegmentKey(s.Offset))
	}
	return keys
}

// checkedPartWriter checks a PartWriter's arguments, as CheckedStore does
// a MultipartStore's, and spells its errors once.
type checkedPartWriter struct{ inner PartWriter }

func (w checkedPartWriter) WritePart(ctx context.Context, key, id string, part int, r io.Reader, size int64) (string, error) {
	if err := checkUpload(key, id); err != nil {
		return "", err
	}
	if part < 1 || part > domain.MaxParts || size < 1 || size > domain.MaxPartBytes {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_part", "The part number or size is out of range.")
	}
	tr := &trackedReader{r: r}
	etag, err := w.inner.WritePart(ctx, key, id, part, tr, size)
	return etag, tr.respell(err, CodeUploadNotFound)
}
