package localfs

import (
	"context"
	"crypto/cipher"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// MinKeyBytes is the shortest URL-signing key NewSigner accepts.
const MinKeyBytes = 32

// BlobURLPath is where the service serves the URLs a Signer signs.
const BlobURLPath = "/api/storage/blob"

// downloadFields is the number of fields a download URL carries: blob
// key, expiry (unix seconds), disposition, filename, content type, org,
// user, path, role and link id, in this order.
const downloadFields = 10

// Signer is an application.URLSigner whose URLs the service serves itself:
// each URL carries one opaque token (see token.go), the request's fields
// and an expiry in unix seconds sealed with AES-256-GCM under a key
// derived from the signing key. Replicas sharing the key accept each
// other's URLs; no server state is kept.
type Signer struct {
	base  string
	aead  cipher.AEAD
	clock application.Clock
}

var _ application.URLSigner = (*Signer)(nil)

// NewSigner returns a Signer for URLs under baseURL (http or https, no
// query), keyed with key (at least MinKeyBytes bytes). A nil clock is the
// system clock.
func NewSigner(baseURL string, key []byte, clock application.Clock) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("localfs: signing key of %d bytes, want at least %d: %w", len(key), MinKeyBytes, domain.ErrInvalid)
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("localfs: base URL %q is not an http(s) URL without query: %w", baseURL, domain.ErrInvalid)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = application.SystemClock{}
	}
	return &Signer{base: strings.TrimRight(u.String(), "/"), aead: aead, clock: clock}, nil
}

// SignURL returns {base}/api/storage/blob?t={token} valid for
// req.Expiry (rounded down to a whole second) from now.
func (s *Signer) SignURL(_ context.Context, req application.SignRequest) (string, error) {
	if err := application.ValidateBlobKey(req.Key); err != nil {
		return "", err
	}
	if req.Expiry <= 0 {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_expires_in", "A signed URL must expire in the future.")
	}
	disp, err := domain.ParseDisposition(string(req.Disposition))
	if err != nil {
		return "", err
	}
	exp := s.clock.Now().Add(req.Expiry).Unix()
	fields := []string{req.Key, strconv.FormatInt(exp, 10), string(disp), req.Filename,
		req.ContentType, req.OrgID, req.UserID, req.Path, string(req.Role), req.LinkID}
	return s.base + BlobURLPath + "?" + paramToken + "=" + s.seal(kindDownload, fields), nil
}

// Verify checks the query of a signed URL and returns the request it was
// signed for, its Expiry being the time left. A missing, repeated,
// altered, truncated or foreign token (another key's, or a part URL's) is
// domain.ErrForbidden with code "signature_invalid"; an authentic but
// expired URL is domain.ErrForbidden with code "url_expired", returned
// together with the authentic request (Expiry <= 0) so that the refusal
// can be audited. Parameters other than the token are ignored.
func (s *Signer) Verify(q url.Values) (application.SignRequest, error) {
	invalid := domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	fields, ok := s.open(kindDownload, q, downloadFields)
	if !ok {
		return application.SignRequest{}, invalid
	}
	// Authentic from here on; still, trust nothing that does not parse.
	exp, err := strconv.ParseInt(fields[1], 10, 64)
	disp, derr := domain.ParseDisposition(fields[2])
	if err != nil || derr != nil || application.ValidateBlobKey(fields[0]) != nil {
		return application.SignRequest{}, invalid
	}
	if fields[8] != "" {
		if _, err := domain.ParseRole(fields[8]); err != nil {
			return application.SignRequest{}, invalid
		}
	}
	left := time.Unix(exp, 0).Sub(s.clock.Now())
	req := application.SignRequest{Key: fields[0], Expiry: left, Disposition: disp, Filename: fields[3],
		ContentType: fields[4], OrgID: fields[5], UserID: fields[6], Path: fields[7], Role: domain.Role(fields[8]), LinkID: fields[9]}
	if left <= 0 {
		return req, domain.Errorf(domain.ErrForbidden, "url_expired", "The link has expired.")
	}
	return req, nil
}
