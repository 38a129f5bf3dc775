package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// SignRequest asks for a URL through which anyone holding it may read one
// blob until the expiry passes.
type SignRequest struct {
	Key         string
	Expiry      time.Duration
	Disposition domain.Disposition
	Filename    string // offered to the browser in Content-Disposition
	ContentType string // served as Content-Type
	// Who asked, so a service that serves its own URLs can audit the
	// download. Stores that presign (Spaces) ignore these.
	OrgID  string
	UserID string
	Role   domain.Role
	Path   string
	// LinkID is the link the URL belongs to (domain.Link), carried by URLs
	// the service serves itself so that each use can be checked against
	// it; stores that presign ignore it.
	LinkID string
}

// URLSigner issues short-lived URLs for reading blobs. The object store
// presigns them in production; locally the service issues them (sealed,
// naming no one in clear) and serves them itself.
type URLSigner interface {
	// SignURL returns an absolute URL valid for req.Expiry from now.
	// req.Key must satisfy ValidateBlobKey (else domain.ErrInvalid).
	SignURL(ctx context.Context, req SignRequest) (string, error)
}

// Clock tells the time; tests substitute a fixed one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
