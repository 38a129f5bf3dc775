package spaces

import (
	"context"
	"net/url"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// MaxURLExpiry is the longest a SigV4 presigned URL can live.
const MaxURLExpiry = 7 * 24 * time.Hour

// SignURL presigns a GET of req.Key (SigV4, query-string auth) valid for
// req.Expiry, asking the store to answer with req.ContentType and a
// Content-Disposition of req.Disposition and req.Filename (RFC 6266).
// Signing is local: no request reaches the store.
//
// With a CDN endpoint the URL is presigned for the bucket's
// virtual-hosted origin (https://<bucket>.<endpoint>/<key>) and its
// scheme and host are then replaced by the CDN's. That is how
// DigitalOcean documents presigned URLs through the Spaces CDN: the edge
// forwards the request to the origin host the signature covers. A URL
// signed for the CDN host itself would not verify at the origin.
func (s *Store) SignURL(ctx context.Context, req application.SignRequest) (string, error) {
	if err := application.ValidateBlobKey(req.Key); err != nil {
		return "", err
	}
	if req.Expiry < time.Second || req.Expiry > MaxURLExpiry {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_expires_in",
			"A signed URL must expire between 1 second and 7 days from now.")
	}
	disp, err := domain.ParseDisposition(string(req.Disposition))
	if err != nil {
		return "", err
	}
	params := url.Values{"response-content-disposition": {disp.Header(req.Filename)}}
	if req.ContentType != "" {
		params.Set("response-content-type", req.ContentType)
	}
	u, err := s.presigner.PresignedGetObject(ctx, s.bucket, req.Key, req.Expiry, params)
	if err != nil {
		return "", storeError("sign", req.Key, err)
	}
	if s.cdn != nil {
		u.Scheme, u.Host = s.cdn.Scheme, s.cdn.Host
	}
	return u.String(), nil
}
