package auth

import (
	"context"
	"errors"

	"github.com/google/wire"

	"storagegw/configs"
)

// ProviderSet provides the Verifier from the configuration.
var ProviderSet = wire.NewSet(FromConfig)

// RefreshErrorHandler hears of failed background refreshes of a JWK Set.
type RefreshErrorHandler func(error)

// FromConfig builds the Verifier the configuration asks for: the issuer's
// JWK Set (kept fresh until the cleanup runs), the configured HS256 secret or
// public key file, or else the development secret of the data dir (created
// on first use).
func FromConfig(ctx context.Context, cfg *configs.Config, onRefreshError RefreshErrorHandler) (*Verifier, func(), error) {
	opts := Options{
		PublicKeyFile: cfg.JWT.PublicKeyFile,
		Issuer:        cfg.JWT.Issuer,
		Audience:      cfg.JWT.Audience,
		OrgClaim:      cfg.JWT.OrgClaim,
		RoleClaim:     cfg.JWT.RoleClaim,
		Leeway:        cfg.JWT.Leeway,
	}
	cleanup := func() {}
	switch {
	case cfg.JWT.JWKSURL != "":
		jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		ks, err := NewJWKSKeySet(jctx, cfg.JWT.JWKSURL, nil, onRefreshError)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		opts.KeySet, cleanup = ks, cancel
	case cfg.JWT.PublicKeyFile != "":
	default:
		secret, err := SigningSecret(cfg)
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
// configured one, or the development secret of the data dir. It fails when
// tokens are verified with a public key, which the service cannot sign for.
func SigningSecret(cfg *configs.Config) ([]byte, error) {
	if cfg.JWT.HS256Secret.IsSet() {
		return []byte(cfg.JWT.HS256Secret.Value()), nil
	}
	if cfg.JWT.PublicKeyFile != "" || cfg.JWT.JWKSURL != "" {
		return nil, errors.New("auth: tokens are verified with a public key (JWT_PUBLIC_KEY_FILE or JWT_JWKS_URL): " +
			"ask the issuer for a token; storagegw can only sign with JWT_HS256_SECRET or the development secret")
	}
	return LoadOrCreateDevSecret(cfg.DevSecretPath())
}

// MintParamsFromConfig fills the issuer, audience and claim names of p from
// the configuration, so a minted token passes this service's verifier.
func MintParamsFromConfig(cfg *configs.Config, p MintParams) MintParams {
	p.Issuer, p.Audience = cfg.JWT.Issuer, cfg.JWT.Audience
	p.OrgClaim, p.RoleClaim = cfg.JWT.OrgClaim, cfg.JWT.RoleClaim
	return p
}
