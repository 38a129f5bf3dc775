package auth

import (
	"context"
	"errors"
	"time"
)

// Settings say where the Verifier's keys come from and which claims it
// reads. The composition root fills them from the configuration.
type Settings struct {
	JWKSURL       string // the issuer's JWK Set, kept fresh in the background
	PublicKeyFile string // a PEM public key or certificate
	HS256Secret   []byte // the configured shared secret; nil when none
	// DevSecretFile holds the development secret (created on first use),
	// used when none of the sources above is set.
	DevSecretFile string

	Issuer, Audience    string
	OrgClaim, RoleClaim string
	Leeway              time.Duration

	// JWKSRefreshInterval and JWKSUnknownKIDRefreshInterval are the JWK
	// Set's timings (JWKSOptions); zero takes the defaults.
	JWKSRefreshInterval, JWKSUnknownKIDRefreshInterval time.Duration
}

// RefreshErrorHandler hears of failed background refreshes of a JWK Set.
type RefreshErrorHandler func(error)

// ProvideVerifier builds the Verifier the settings ask for: the issuer's
// JWK Set (kept fresh until the cleanup runs), the HS256 secret or public
// key file, or else the development secret.
func ProvideVerifier(ctx context.Context, s Settings, onRefreshError RefreshErrorHandler) (*Verifier, func(), error) {
	opts := Options{
		PublicKeyFile: s.PublicKeyFile,
		Issuer:        s.Issuer,
		Audience:      s.Audience,
		OrgClaim:      s.OrgClaim,
		RoleClaim:     s.RoleClaim,
		Leeway:        s.Leeway,
	}
	cleanup := func() {}
	switch {
	case s.JWKSURL != "":
		jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		ks, err := NewJWKSKeySet(jctx, s.JWKSURL, JWKSOptions{OnRefreshError: onRefreshError,
			RefreshInterval: s.JWKSRefreshInterval, UnknownKIDRefreshInterval: s.JWKSUnknownKIDRefreshInterval})
		if err != nil {
			cancel()
			return nil, nil, err
		}
		opts.KeySet, cleanup = ks, cancel
	case s.PublicKeyFile != "":
	default:
		secret, err := SigningSecret(s)
		if err != nil {
			return nil, nil, err
		}
		opts.HS256Secret = secret
	}
	v, err := NewVerifier(opts)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return v, cleanup, nil
}

// SigningSecret is the HS256 secret `storagegw token` signs with: the
// configured one, or the development secret. It fails when tokens are
// verified with a public key, which the service cannot sign for.
func SigningSecret(s Settings) ([]byte, error) {
	if len(s.HS256Secret) > 0 {
		return s.HS256Secret, nil
	}
	if s.PublicKeyFile != "" || s.JWKSURL != "" {
		return nil, errors.New("auth: tokens are verified with a public key (JWT_PUBLIC_KEY_FILE or JWT_JWKS_URL): " +
			"ask the issuer for a token; storagegw can only sign with JWT_HS256_SECRET or the development secret")
	}
	return LoadOrCreateDevSecret(s.DevSecretFile)
}

// MintParams fills the issuer, audience and claim names of p from the
// settings, so a minted token passes this service's verifier.
func (s Settings) MintParams(p MintParams) MintParams {
	p.Issuer, p.Audience = s.Issuer, s.Audience
	p.OrgClaim, p.RoleClaim = s.OrgClaim, s.RoleClaim
	return p
}
