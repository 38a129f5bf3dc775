// Package auth verifies and mints the JWTs that identify callers.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

// maxTokenBytes bounds the work done on a token before it is refused.
const maxTokenBytes = 16 << 10

// minSecretBytes is the shortest HS256 secret accepted.
const minSecretBytes = 32

// KeySet supplies verification keys chosen by the token header (kid), as a
// JWKS client does; keyfunc.Keyfunc from github.com/MicahParks/keyfunc/v3
// satisfies it. With a KeySet only asymmetric algorithms are accepted.
type KeySet interface {
	Keyfunc(token *jwt.Token) (any, error)
}

// Options configure a Verifier. Exactly one of HS256Secret, PublicKeyFile
// and KeySet must be set.
type Options struct {
	HS256Secret   []byte // at least 32 bytes; accepts HS256 only
	PublicKeyFile string // PEM RSA (RS256/384/512), EC (ES256/384/512 by curve) or Ed25519 (EdDSA) public key or certificate
	KeySet        KeySet // e.g. a JWKS client

	Issuer    string        // when set, iss must equal it
	Audience  string        // when set, aud must contain it
	OrgClaim  string        // claim holding the organisation id; "" = org_id
	RoleClaim string        // claim holding the role; "" = role
	Leeway    time.Duration // clock skew tolerated on exp, nbf and iat
	Clock     func() time.Time
}

// Verifier checks caller tokens and turns them into principals. It is safe
// for concurrent use.
type Verifier struct {
	parser    *jwt.Parser
	keyfunc   jwt.Keyfunc
	orgClaim  string
	roleClaim string
}

// NewVerifier builds a Verifier from opts. The accepted algorithms are those
// of the configured key only, so "none" and HMAC/RSA confusion are refused.
func NewVerifier(opts Options) (*Verifier, error) {
	sources := 0
	for _, set := range []bool{opts.HS256Secret != nil, opts.PublicKeyFile != "", opts.KeySet != nil} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return nil, errors.New("auth: set exactly one of the HS256 secret, the public key file and the key set")
	}
	var (
		methods []string
		keyfunc jwt.Keyfunc
	)
	switch {
	case opts.HS256Secret != nil:
		if len(opts.HS256Secret) < minSecretBytes {
			return nil, fmt.Errorf("auth: the HS256 secret is shorter than %d bytes", minSecretBytes)
		}
		secret := append([]byte(nil), opts.HS256Secret...)
		methods, keyfunc = []string{jwt.SigningMethodHS256.Alg()}, staticKey(secret)
	case opts.PublicKeyFile != "":
		key, algs, err := loadPublicKey(opts.PublicKeyFile)
		if err != nil {
			return nil, err
		}
		methods, keyfunc = algs, staticKey(key)
	default:
		methods, keyfunc = asymmetricAlgs, opts.KeySet.Keyfunc
	}

	popts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.Leeway),
	}
	if opts.Clock != nil {
		popts = append(popts, jwt.WithTimeFunc(opts.Clock))
	}
	if opts.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		popts = append(popts, jwt.WithAudience(opts.Audience))
	}
	v := &Verifier{parser: jwt.NewParser(popts...), keyfunc: keyfunc, orgClaim: opts.OrgClaim, roleClaim: opts.RoleClaim}
	if v.orgClaim == "" {
		v.orgClaim = "org_id"
	}
	if v.roleClaim == "" {
		v.roleClaim = "role"
	}
	return v, nil
}

func staticKey(key any) jwt.Keyfunc {
	return func(*jwt.Token) (any, error) { return key, nil }
}

// Verify checks raw (the token without its "Bearer " prefix) and returns
// the caller it names. Errors, none of which echo the token:
//   - ErrUnauthenticated "token_missing": raw is empty;
//   - ErrUnauthenticated "token_expired": signature good, exp passed;
//   - ErrUnauthenticated "token_invalid": anything else wrong with the token,
//     including a missing sub or organisation claim;
//   - ErrForbidden "unknown_role": the role claim is missing or unknown.
func (v *Verifier) Verify(_ context.Context, raw string) (domain.Principal, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return domain.Principal{}, domain.Errorf(domain.ErrUnauthenticated, "token_missing",
			"An access token is required: send it as Authorization: Bearer <token>.")
	}
	if len(raw) > maxTokenBytes {
		return domain.Principal{}, domain.Errorf(domain.ErrUnauthenticated, "token_invalid",
			"The access token is not valid.")
	}
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(raw, claims, v.keyfunc); err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return domain.Principal{}, domain.Wrap(domain.ErrUnauthenticated, "token_expired",
				"The access token has expired; get a new one.", err)
		}
		return domain.Principal{}, domain.Wrap(domain.ErrUnauthenticated, "token_invalid",
			"The access token is not valid.", err)
	}
	sub, _ := claims.GetSubject()
	org, _ := claims[v.orgClaim].(string)
	role, _ := claims[v.roleClaim].(string)
	return domain.NewPrincipal(sub, org, role)
}
