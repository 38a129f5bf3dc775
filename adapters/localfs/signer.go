package localfs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
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

// The query parameters of a signed URL. signedParams are covered by the
// signature, in this order; paramSig carries it.
const (
	paramKey         = "key"
	paramExp         = "exp"
	paramDisposition = "disposition"
	paramFilename    = "filename"
	paramContentType = "content_type"
	paramOrg         = "org"
	paramUser        = "user"
	paramPath        = "path"
	paramRole        = "role"
	paramSig         = "sig"
)

var signedParams = []string{paramKey, paramExp, paramDisposition, paramFilename,
	paramContentType, paramOrg, paramUser, paramPath, paramRole}

// macContext separates these signatures from any other use of the key.
const macContext = "storagegw localfs signed URL v2\n"

// Signer is an application.URLSigner whose URLs the service serves itself:
// each URL carries the request's fields, an expiry in unix seconds and an
// HMAC-SHA256 over both. Replicas sharing the key accept each other's URLs.
type Signer struct {
	base  string
	key   []byte
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
	if clock == nil {
		clock = application.SystemClock{}
	}
	return &Signer{base: strings.TrimRight(u.String(), "/"), key: append([]byte(nil), key...), clock: clock}, nil
}

// SignURL returns {base}/api/storage/blob?{fields}&sig=... valid for
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
		req.ContentType, req.OrgID, req.UserID, req.Path, string(req.Role)}
	q := make(url.Values, len(fields)+1)
	for i, name := range signedParams {
		q.Set(name, fields[i])
	}
	q.Set(paramSig, base64.RawURLEncoding.EncodeToString(s.mac(fields)))
	return s.base + BlobURLPath + "?" + q.Encode(), nil
}

// Verify checks the query of a signed URL and returns the request it was
// signed for, its Expiry being the time left. A missing, repeated or
// altered field is domain.ErrForbidden with code "signature_invalid"; an
// authentic but expired URL is domain.ErrForbidden with code "url_expired",
// returned together with the authentic request (Expiry <= 0) so that the
// refusal can be audited. Parameters outside the signed set are ignored.
func (s *Signer) Verify(q url.Values) (application.SignRequest, error) {
	invalid := domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	fields := make([]string, len(signedParams))
	for i, name := range signedParams {
		if len(q[name]) != 1 {
			return application.SignRequest{}, invalid
		}
		fields[i] = q[name][0]
	}
	if len(q[paramSig]) != 1 {
		return application.SignRequest{}, invalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(q[paramSig][0])
	if err != nil || !hmac.Equal(sig, s.mac(fields)) {
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
		ContentType: fields[4], OrgID: fields[5], UserID: fields[6], Path: fields[7], Role: domain.Role(fields[8])}
	if left <= 0 {
		return req, domain.Errorf(domain.ErrForbidden, "url_expired", "The link has expired.")
	}
	return req, nil
}

// mac is the HMAC-SHA256 of the fields, each prefixed with its length, so
// no two different field lists share an encoding.
func (s *Signer) mac(fields []string) []byte { return s.macWith(macContext, fields) }

// macWith is mac under another context, for the part URLs of multipart
// uploads (see partsign.go), so no URL of one kind verifies as the other.
func (s *Signer) macWith(context string, fields []string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(context))
	for _, f := range fields {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(f))))
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}
