package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// MultipartOptions tune multipart uploads. The zero value is usable.
type MultipartOptions struct {
	// SessionTTL is how long a session may take from initiate to complete.
	// An expired session is refused and cleaned up. Default 24h.
	SessionTTL time.Duration
	// PartSize is the preferred size of a part (at least
	// domain.MinPartBytes); it grows for files that would need more than
	// domain.MaxParts parts. Default DefaultPartSize.
	PartSize int64
	// PartURLExpiry bounds how long a part URL is valid; the session's
	// expiry bounds it too. Default 1h.
	PartURLExpiry time.Duration
	// CleanupGrace is how long past a session's lifetime a store-side
	// upload of storagegw's key layout is kept even when nothing seems to
	// own it. Default 1h.
	CleanupGrace time.Duration
	// ClaimLease is how long the claim of a request completing or aborting
	// a session (or of a clean-up run discarding it) holds without
	// renewal; a complete renews it every ClaimLease/3 while it runs. Once
	// it lapses (the process died) a retry, another replica or the clean-up
	// takes the session over. Default DefaultClaimLease.
	ClaimLease time.Duration
}

// DefaultClaimLease is the lease of a completing or aborting claim unless
// configured.
const DefaultClaimLease = 2 * time.Minute

// DefaultPartSize is the part size of multipart uploads unless configured.
const DefaultPartSize = 16 << 20

func (o MultipartOptions) withDefaults() MultipartOptions {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 24 * time.Hour
	}
	if o.PartSize <= 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartURLExpiry <= 0 {
		o.PartURLExpiry = time.Hour
	}
	if o.CleanupGrace <= 0 {
		o.CleanupGrace = time.Hour
	}
	if o.ClaimLease <= 0 {
		o.ClaimLease = DefaultClaimLease
	}
	return o
}

// multipart is what the multipart use cases share: the common ports, the
// session repository and their options.
type multipart struct {
	*deps
	sessions UploadSessions
	mopts    MultipartOptions
	// tusUploads is set by Application.EnableTus, for the clean-up.
	tusUploads TusUploads
}

func newMultipart(d *deps, sessions UploadSessions, o MultipartOptions) *multipart {
	return &multipart{deps: d, sessions: sessions, mopts: o.withDefaults()}
}

// store returns the blob store's multipart capability, or
// domain.ErrUnavailable when this deployment has none.
func (m *multipart) store() (MultipartStore, error) {
	ms, ok := m.blobs.(MultipartStore)
	if !ok || m.sessions == nil {
		return nil, domain.Errorf(domain.ErrUnavailable, "multipart_unavailable",
			"Multipart uploads are not available on this service.")
	}
	return ms, nil
}

// errNoUpload is what a caller learns of a session that does not exist,
// is another org's, or is another member's.
func errNoUpload() error {
	return domain.Errorf(domain.ErrNotFound, "upload_not_found", "No such upload.")
}

// open is the prelude of every call on an existing upload: the caller may
// upload, the store does multipart, and the session is one the caller may
// use. It records the session's path in e.
func (m *multipart) open(ctx context.Context, c Caller, id string, e *entry) (MultipartStore, *domain.UploadSession, error) {
	if err := c.Principal.Authorize(domain.PermUpload); err != nil {
		return nil, nil, err
	}
	if err := domain.CheckText("upload_id", id); err != nil {
		return nil, nil, err
	}
	store, err := m.store()
	if err != nil {
		return nil, nil, err
	}
	s, err := m.session(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	e.forPath(s.Path())
	return store, s, nil
}

// session loads the session id for the caller, hiding those it may not
// see (domain.UploadSession.AccessibleBy) behind errNoUpload.
func (m *multipart) session(ctx context.Context, c Caller, id string) (*domain.UploadSession, error) {
	if id == "" || len(id) > 64 {
		return nil, errNoUpload()
	}
	s, err := m.sessions.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !s.AccessibleBy(c.Principal) {
		return nil, errNoUpload()
	}
	return s, err
}

// discard ends a session for good: the store's upload is aborted, the
// assembled blob (if any) removed, the path's reservation released and the
// session deleted. A blob that the record already points at (a complete
// that committed and then stopped) is the file's content and is kept.
// The session is deleted only once the store's upload is gone, so a
// failed abort is retried by the next clean-up; that failure is returned.
// Everything runs detached from ctx, so a client that leaves cannot stop it.
// The session's deletion runs through end, when set, so that the caller
// commits its audit event with it (auditor.change); a session already
// gone counts as deleted.
func (m *multipart) discard(ctx context.Context, store MultipartStore, s *domain.UploadSession,
	end func(ctx context.Context, deleteSession func(ctx context.Context) error) error) error {
	dctx, cancel := detached(ctx)
	defer cancel()
	key := s.BlobKey()
	err := store.AbortMultipart(dctx, key, s.StoreUploadID())
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	rec, err := m.files.Get(dctx, s.Path())
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if rec == nil || rec.Content().BlobKey != key {
		m.abandon(ctx, s.Path(), s.UploadID(), key)
	}
	deleteSession := func(ctx context.Context) error {
		if err := m.sessions.Delete(ctx, s); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		return nil
	}
	if end == nil {
		return deleteSession(dctx)
	}
	return end(dctx, deleteSession)
}

// save stores a changed session. A lost race is upload_closing, since
// only a complete or an abort changes a session; a session deleted
// meanwhile is errNoUpload.
func (m *multipart) save(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error) {
	saved, err := m.sessions.Update(ctx, s)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, errNoUpload()
	}
	if isConflict(err) {
		return nil, domain.Errorf(domain.ErrExists, "upload_closing",
			"The upload is being completed or aborted by another request.")
	}
	return saved, err
}
