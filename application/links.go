package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// Links persists the links of signed URLs (domain.Link). Every method runs
// in the transaction ctx carries (Transactor.InTx), if any, and returns
// domain.ErrUnavailable (wrapped) when the database cannot be reached.
type Links interface {
	// Create inserts a new link. An id already taken is domain.ErrExists.
	Create(ctx context.Context, l *domain.Link) error

	// Get returns the link with id; none is domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.Link, error)

	// Use counts one use of link id at now, atomically: only if the stored
	// link is Usable(now) (not revoked, not used up, not expired), so two
	// concurrent uses of a link with one use left never both succeed. It
	// returns the link as stored after the use; a link that is not usable
	// is returned unchanged with Usable's refusal. None is
	// domain.ErrNotFound.
	Use(ctx context.Context, id string, now time.Time) (*domain.Link, error)

	// Revoke revokes link id on behalf of by at now (domain Link.Revoke: a
	// revoked link keeps its first revocation) and returns it as stored.
	// None is domain.ErrNotFound.
	Revoke(ctx context.Context, id, by string, now time.Time) (*domain.Link, error)

	// RevokeFile revokes every link of filePath in orgID not yet revoked
	// and returns how many it revoked.
	RevokeFile(ctx context.Context, orgID, filePath, by string, now time.Time) (int, error)

	// OfFile returns up to q.Limit links of q.FilePath in q.OrgID, oldest
	// first (by creation time, then id), after the link q.After names, if
	// any; expired links are listed until the clean-up removes them.
	OfFile(ctx context.Context, q LinkQuery) ([]*domain.Link, error)

	// DeleteExpired removes up to limit links that expired at or before
	// before, the earliest first, and returns how many. A zero before or a
	// limit below 1 is domain.ErrInvalid.
	DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error)
}

// LinkQuery selects one page of a file's links (Links.OfFile).
type LinkQuery struct {
	OrgID, FilePath string
	// After is the position of the last link of the previous page: its
	// creation time and id. The zero value starts at the first link.
	After LinkPosition
	Limit int
}

// LinkPosition is a link's place in a file's listing.
type LinkPosition struct {
	CreatedAt time.Time
	ID        string
}

// LinkRetention is how long a link's row is kept after the link expired,
// for the service's own answers (410 rather than a plain expiry); the
// trail keeps its events for good.
const LinkRetention = 24 * time.Hour

// linkCleanupPage is how many expired links one statement removes.
const linkCleanupPage = 500

// Expire removes the links expired for longer than LinkRetention (the
// clean-up's step) and returns how many.
func (r *RevokeLinks) Expire(ctx context.Context) (int64, error) {
	var n int64
	before := r.clock.Now().Add(-LinkRetention)
	for {
		got, err := r.links.DeleteExpired(ctx, before, linkCleanupPage)
		n += int64(got)
		if err != nil || got < linkCleanupPage || ctx.Err() != nil {
			return n, errors.Join(err, ctx.Err())
		}
	}
}

// LinkOptions configure the links of signed URLs (Application.EnableLinks).
type LinkOptions struct {
	// Gateway signs the URLs of gateway links: URLs that point at the
	// service's download route (a SignedURLVerifier of its own), which
	// checks each use and redirects to a store URL presigned for at most
	// domain.GatewayRedirectExpiry. Nil: no gateway links (on local disk
	// every URL is served by the service anyway).
	Gateway GatewaySigner
	// GatewayKinds are the kinds whose links are gateway links when the
	// store presigns its URLs. A link with max_uses is a gateway link
	// whatever its kind, since only the gateway can count uses.
	GatewayKinds map[domain.Kind]bool
}

// DefaultGatewayKinds are the kinds whose links go through the gateway
// unless configured otherwise: accounting receipts and invoices.
func DefaultGatewayKinds() map[domain.Kind]bool {
	return map[domain.Kind]bool{
		{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}: true,
		{System: domain.SystemAccounting, ObjectType: domain.TypeInvoice}: true,
	}
}

// GatewaySigner signs URLs that the service serves itself and verifies
// them when they are used.
type GatewaySigner interface {
	URLSigner
	SignedURLVerifier
}

// EnableLinks makes the application keep a link for every signed URL in
// links (which must share the Transactor's database, and the audit log's
// when that is a LinkIssuingLog): signed URLs get a
// link id, members may revoke links (RevokeLinks), a delete revokes every
// link of its file, and the URLs the service serves are checked against
// their links on every use. With opts.Gateway and a store that presigns,
// the kinds of opts.GatewayKinds (and links with max_uses) get gateway
// links, which Download serves by redirecting to a short presigned URL.
func (a *Application) EnableLinks(links Links, opts LinkOptions) {
	d := a.SignURL.deps
	d.links, d.linkOpts = links, opts
	a.RevokeLinks = &RevokeLinks{deps: d}
	a.ListLinks = &ListLinks{deps: d}
	if a.Download == nil && opts.Gateway != nil {
		a.Download = &Download{deps: d, verifier: opts.Gateway, presign: a.SignURL.signer}
	}
}
