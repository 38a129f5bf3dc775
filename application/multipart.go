package application

import (
	"context"
	"io"
	"net/url"
	"time"

	"storagegw/domain"
)

// UploadSessions persists multipart upload sessions, so that any replica
// can continue a session another one started. Update and Delete are
// optimistic, like FileRepository's: they succeed only while the stored
// session has the same id and its version equals the session's Version,
// and otherwise return an error matching domain.ErrExists with code
// domain.CodeConcurrentUpdate. Every method returns domain.ErrUnavailable
// (wrapped) when the database cannot be reached.
type UploadSessions interface {
	// Create inserts s and returns it as stored (version 1). A session
	// with the same id or the same UploadID is domain.ErrExists.
	Create(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error)

	// Get returns the session with id, in any state; none is
	// domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.UploadSession, error)

	// Update saves s's state and updated time (see the optimistic rule
	// above) and returns it as stored, version advanced. A missing session
	// is domain.ErrNotFound.
	Update(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error)

	// Delete removes s's row (see the optimistic rule above). A missing
	// session is domain.ErrNotFound.
	Delete(ctx context.Context, s *domain.UploadSession) error

	// ListExpired returns up to limit sessions, in any state, whose expiry
	// is at or before before and whose id sorts after afterID, in
	// ascending order of id. A zero before or a limit below 1 is
	// domain.ErrInvalid.
	ListExpired(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.UploadSession, error)
}

// MultipartStore is the optional BlobStore capability of multipart
// uploads whose parts clients send straight to the store, through URLs
// the store signs: a use case finds it by type assertion on its BlobStore.
// Parts follow S3's rules: numbered 1 to domain.MaxParts, each at most
// domain.MaxPartBytes, each but the last at least domain.MinPartBytes.
// Keys follow ValidateBlobKey (else domain.ErrInvalid, before any I/O).
// An upload id the store does not know (never started, completed or
// aborted) is domain.ErrNotFound. Every method returns
// domain.ErrUnavailable (wrapped) when the store cannot be reached.
//
// CheckedStore enforces the arguments before the adapter is called (keys,
// prefixes, limits, a non-empty upload id, part numbers, part sizes,
// expiries of at least a second, a non-empty part list in strictly
// ascending order) and spells a missing upload upload_not_found. An
// adapter may assume them; it checks what only it knows: whether the
// parts listed were uploaded, with that ETag and size.
type MultipartStore interface {
	// InitiateMultipart starts a multipart upload to key and returns the
	// store's id for it. Nothing is visible under key until it completes.
	InitiateMultipart(ctx context.Context, key, contentType string) (storeUploadID string, err error)

	// PartURL returns an absolute URL through which anyone holding it may
	// PUT the bytes of part number part, for expiry from now. The answer
	// to that PUT carries the part's ETag header. size is the number of
	// bytes the part must hold: stores that can bind it into the URL do
	// (local disk refuses any other size), others (S3) leave it to the
	// check of ListParts before CompleteMultipart. Signing may be local:
	// an unknown upload id may only fail when the URL is used.
	PartURL(ctx context.Context, key, storeUploadID string, part int, size int64, expiry time.Duration) (string, error)

	// ListParts returns the parts uploaded so far, in ascending order of
	// number.
	ListParts(ctx context.Context, key, storeUploadID string) ([]domain.StoredPart, error)

	// CompleteMultipart assembles parts, in the order given, into the
	// blob key and ends the upload. The blob appears atomically, whole.
	// A part that was not uploaded or whose ETag differs, a list out of
	// order, or a part but the last smaller than domain.MinPartBytes is
	// domain.ErrInvalid, and the upload stays open. Completing an upload
	// that already completed is domain.ErrNotFound or, on stores that
	// take it for a retry of the same request (S3 servers may), a success
	// that leaves the blob as it is.
	CompleteMultipart(ctx context.Context, key, storeUploadID string, parts []domain.PartRef) (BlobInfo, error)

	// AbortMultipart ends the upload and discards its parts. Aborting an
	// upload the store no longer knows is domain.ErrNotFound.
	AbortMultipart(ctx context.Context, key, storeUploadID string) error

	// ListMultipart returns up to limit uploads in progress whose keys
	// start with prefix, in ascending order of key and, within a key, in
	// an order of the store's own (S3: by initiation), starting after the
	// upload (afterKey, afterID) when afterKey is set: the last one of the
	// previous page. Fewer than limit results means the listing is
	// complete. A limit below 1 is domain.ErrInvalid.
	ListMultipart(ctx context.Context, prefix, afterKey, afterID string, limit int) ([]MultipartUpload, error)
}

// MultipartUpload is a multipart upload in progress in the store.
type MultipartUpload struct {
	Key           string
	StoreUploadID string
	Initiated     time.Time
}

// PartReceiver is the capability of a MultipartStore whose part URLs
// point at the service itself (local disk, for development): the service
// receives the part's bytes on the store's behalf. In production (Spaces)
// part bytes go straight to the store and never reach the service.
type PartReceiver interface {
	// ReceivePart checks the query of a part URL that PartURL issued and
	// stores body as that part, replacing an earlier upload of it, and
	// returns the part's ETag. A missing or altered field is
	// domain.ErrForbidden (signature_invalid), an expired URL
	// domain.ErrForbidden (url_expired), an upload no longer in progress
	// domain.ErrNotFound, a body longer than the part's size
	// domain.ErrTooLarge (refused without reading past the size), a
	// shorter one domain.ErrInvalid (part_size_mismatch).
	ReceivePart(ctx context.Context, q url.Values, body io.Reader) (etag string, err error)
}
