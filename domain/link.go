package domain

import (
	"strings"
	"time"
)

// Link is the server-side record of one signed URL: which file of which
// org it reads, who asked for it, until when, how often it may be used,
// and whether it was revoked. A URL carries its link's id (sealed in a
// service-signed URL), so the service can refuse a revoked or used-up link
// on each use it serves.
type Link struct {
	d LinkData
}

// LinkMode says who serves a link's URL, and so how fast a revocation
// takes effect.
type LinkMode string

const (
	// LinkLocal: the service serves the URL from local disk; every use is
	// checked.
	LinkLocal LinkMode = "local"
	// LinkGateway: the URL points at the service, which checks every use
	// and redirects to a store URL presigned for at most
	// GatewayRedirectExpiry.
	LinkGateway LinkMode = "gateway"
	// LinkPresigned: the store presigned the URL; the service never sees
	// its uses, and a revocation cannot stop it before it expires.
	LinkPresigned LinkMode = "presigned"
)

// GatewayRedirectExpiry bounds the life of the store URL a gateway link
// redirects to, and so how long a use started before a revocation may
// still read.
const GatewayRedirectExpiry = 60 * time.Second

// MaxLinkUses bounds a link's max_uses.
const MaxLinkUses = 10000

// The codes of a refused use of a link (answered 410 Gone).
const (
	CodeLinkRevoked   = "link_revoked"
	CodeLinkExhausted = "link_exhausted"
)

// LinkData is a Link's state as adapters persist it.
type LinkData struct {
	ID        string
	OrgID     string
	FilePath  string // canonical, of OrgID
	RecordID  string // the file record it was issued for
	Mode      LinkMode
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero: not revoked
	RevokedBy string
	MaxUses   int // 0: unlimited
	Uses      int
}

// ParseMaxUses checks a requested max_uses: nil is unlimited (0);
// otherwise 1 to MaxLinkUses.
func ParseMaxUses(n *int) (int, error) {
	if n == nil {
		return 0, nil
	}
	if *n < 1 || *n > MaxLinkUses {
		return 0, Errorf(ErrInvalid, "invalid_max_uses", "max_uses must be between 1 and %d.", MaxLinkUses)
	}
	return *n, nil
}

// NewLink validates a new link: not revoked, never used, expiring after
// it was created.
func NewLink(d LinkData) (*Link, error) {
	switch {
	case d.ID == "" || d.OrgID == "" || d.CreatedBy == "" || d.RecordID == "":
		return nil, Errorf(ErrInvalid, "invalid_link", "A link needs an id, an org, a record and a creator.")
	case !strings.HasPrefix(d.FilePath, d.OrgID+"/"):
		return nil, Errorf(ErrInvalid, "invalid_link", "A link's file must belong to its org.")
	case d.Mode != LinkLocal && d.Mode != LinkGateway && d.Mode != LinkPresigned:
		return nil, Errorf(ErrInvalid, "invalid_link", "Unknown link mode %q.", clip(string(d.Mode)))
	case !d.ExpiresAt.After(d.CreatedAt):
		return nil, Errorf(ErrInvalid, "invalid_link", "A link must expire after it was created.")
	case d.MaxUses < 0 || d.MaxUses > MaxLinkUses:
		return nil, Errorf(ErrInvalid, "invalid_link", "max_uses must be between 1 and %d.", MaxLinkUses)
	}
	d.Uses, d.RevokedAt, d.RevokedBy = 0, time.Time{}, ""
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	return &Link{d: d}, nil
}

// RehydrateLink rebuilds a link loaded from storage.
func RehydrateLink(d LinkData) *Link { return &Link{d: d} }

// Data returns a copy of the link's state.
func (l *Link) Data() LinkData { return l.d }

func (l *Link) ID() string           { return l.d.ID }
func (l *Link) OrgID() string        { return l.d.OrgID }
func (l *Link) FilePath() string     { return l.d.FilePath }
func (l *Link) Mode() LinkMode       { return l.d.Mode }
func (l *Link) Uses() int            { return l.d.Uses }
func (l *Link) MaxUses() int         { return l.d.MaxUses }
func (l *Link) Revoked() bool        { return !l.d.RevokedAt.IsZero() }
func (l *Link) RevokedAt() time.Time { return l.d.RevokedAt }

// Usable says whether the link may be used once more at now: not
// revoked (link_revoked), not used up (link_exhausted), not expired
// (url_expired). The refusals of a revoked or used-up link are
// ErrForbidden with their codes, which the HTTP adapter answers 410 Gone.
func (l *Link) Usable(now time.Time) error {
	switch {
	case l.Revoked():
		return Errorf(ErrForbidden, CodeLinkRevoked, "The link was revoked.")
	case l.d.MaxUses > 0 && l.d.Uses >= l.d.MaxUses:
		return Errorf(ErrForbidden, CodeLinkExhausted, "The link has been used the %d times it allowed.", l.d.MaxUses)
	case !now.Before(l.d.ExpiresAt):
		return Errorf(ErrForbidden, "url_expired", "The link has expired.")
	}
	return nil
}

// Use counts one use at now, if the link is Usable.
func (l *Link) Use(now time.Time) error {
	if err := l.Usable(now); err != nil {
		return err
	}
	l.d.Uses++
	return nil
}

// Revoke revokes the link on behalf of by at now. Revoking a revoked link
// changes nothing (the first revocation is kept) and is no error.
func (l *Link) Revoke(by string, now time.Time) {
	if l.Revoked() {
		return
	}
	l.d.RevokedAt, l.d.RevokedBy = now.UTC(), by
}
