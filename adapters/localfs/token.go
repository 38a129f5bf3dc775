package localfs

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/url"
)

// paramToken is the one query parameter of the URLs a Signer issues. Its
// value is the unpadded base64url of nonce ‖ AES-256-GCM ciphertext ‖ tag
// of the URL's fields, so a URL names no one in clear: no org, user, role
// or path, not even the blob key.
const paramToken = "t"

// encContext derives the URL encryption key from the URL-signing key, so
// the key serves nothing else as is.
const encContext = "storagegw localfs URL encryption v1"

// The kinds of URL, sealed with their tokens as additional data so that
// no token of one kind opens as the other. A change of fields is a new
// version, and the tokens of the old one stop opening.
const (
	kindDownload = "storagegw localfs download v4"
	kindPart     = "storagegw localfs part v2"
)

// newAEAD returns AES-256-GCM with random 96-bit nonces under the key
// HMAC-SHA256(key, encContext). Every replica sharing key derives the same.
func newAEAD(key []byte) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(encContext))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("localfs: URL cipher: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("localfs: URL cipher: %w", err)
	}
	return aead, nil
}

// seal returns the token of a URL of kind carrying fields, each prefixed
// with its length (a uvarint), so no two field lists share a plaintext.
func (s *Signer) seal(kind string, fields []string) string {
	var plain []byte
	for _, f := range fields {
		plain = binary.AppendUvarint(plain, uint64(len(f)))
		plain = append(plain, f...)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nil, nil, plain, []byte(kind)))
}

// open returns the n fields of the token in q, or false unless q holds
// exactly one token, in canonical unpadded base64url, sealed under this
// key for a URL of kind, with exactly n fields.
func (s *Signer) open(kind string, q url.Values, n int) ([]string, bool) {
	if len(q[paramToken]) != 1 {
		return nil, false
	}
	tok := q[paramToken][0]
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	// The decoder skips newlines and spare low bits; a token that does not
	// re-encode to itself was altered, even if it would still open.
	if err != nil || base64.RawURLEncoding.EncodeToString(raw) != tok {
		return nil, false
	}
	plain, err := s.aead.Open(nil, nil, raw, []byte(kind))
	if err != nil {
		return nil, false
	}
	fields := make([]string, n)
	for i := range fields {
		l, k := binary.Uvarint(plain)
		if k <= 0 || l > uint64(len(plain)-k) {
			return nil, false
		}
		fields[i], plain = string(plain[k:k+int(l)]), plain[k+int(l):]
	}
	return fields, len(plain) == 0
}
