package localfs

import (
	"net/url"
	"strconv"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// PartURLPath is where the service receives the parts of multipart
// uploads sent to the part URLs a Multipart signs (development only: in
// production the parts go to the object store).
const PartURLPath = "/api/storage/multipart/part"

// partFields is the number of fields a part URL carries: blob key,
// upload id, part number, size and expiry (unix seconds), in this order.
const partFields = 5

// partTicket is what a part URL grants: PUT exactly Size bytes as part
// Part of upload Upload to Key.
type partTicket struct {
	Key    string
	Upload string
	Part   int
	Size   int64
}

// signPart returns the URL of t, {base}/api/storage/multipart/part?t={token},
// valid for expiry (whole seconds; the checked store has checked the key,
// part number, size and expiry). An upload id this package did not make
// is refused.
func (s *Signer) signPart(t partTicket, expiry time.Duration) (string, error) {
	if !validUploadID(t.Upload) {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_part", "The upload id of a part URL is not this store's.")
	}
	fields := []string{t.Key, t.Upload, strconv.Itoa(t.Part), strconv.FormatInt(t.Size, 10),
		strconv.FormatInt(s.clock.Now().Add(expiry).Unix(), 10)}
	return s.base + PartURLPath + "?" + paramToken + "=" + s.seal(kindPart, fields), nil
}

// verifyPart checks the query of a part URL. A missing, repeated,
// altered, truncated or foreign token (another key's, or a download
// URL's) is domain.ErrForbidden (signature_invalid); an authentic but
// expired URL domain.ErrForbidden (url_expired). Parameters other than the
// token are ignored.
func (s *Signer) verifyPart(q url.Values) (partTicket, error) {
	invalid := domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	fields, ok := s.open(kindPart, q, partFields)
	if !ok {
		return partTicket{}, invalid
	}
	// Authentic from here on; still, trust nothing that does not parse.
	part, perr := strconv.Atoi(fields[2])
	size, serr := strconv.ParseInt(fields[3], 10, 64)
	exp, eerr := strconv.ParseInt(fields[4], 10, 64)
	t := partTicket{Key: fields[0], Upload: fields[1], Part: part, Size: size}
	if perr != nil || serr != nil || eerr != nil || application.ValidateBlobKey(t.Key) != nil ||
		!validUploadID(t.Upload) || part < 1 || part > domain.MaxParts || size < 1 || size > domain.MaxPartBytes {
		return partTicket{}, invalid
	}
	if !s.clock.Now().Before(time.Unix(exp, 0)) {
		return partTicket{}, domain.Errorf(domain.ErrForbidden, "url_expired", "The link has expired.")
	}
	return t, nil
}

// validUploadID accepts the ids InitiateMultipart makes (rand.Text:
// 26 characters of base32), which are safe as a directory name.
func validUploadID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, c := range id {
		if !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}
