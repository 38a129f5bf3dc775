package spaces

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

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
	params := url.Values{"response-content-disposition": {contentDisposition(disp, req.Filename)}}
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

// contentDisposition renders the header of RFC 6266 with both an ASCII
// fallback filename, quoted, for old clients and the exact name as
// filename*, percent-encoded UTF-8 (RFC 8187), e.g. for "ü.pdf":
//
//	attachment; filename="_.pdf"; filename*=UTF-8''%C3%BC.pdf
func contentDisposition(disp domain.Disposition, filename string) string {
	if filename == "" {
		return string(disp)
	}
	filename = strings.ToValidUTF8(filename, "\uFFFD")
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disp, asciiFallback(filename), encodeExtValue(filename))
}

// asciiFallback replaces what a quoted-string cannot hold or an old client
// could misread: non-ASCII, control characters, quotes, backslashes and
// percent signs.
func asciiFallback(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// encodeExtValue percent-encodes the UTF-8 bytes outside RFC 8187's
// attr-char.
func encodeExtValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte(attrChar, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
