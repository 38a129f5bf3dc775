package auth

import (
	"errors"

	"github.com/google/wire"

	"storagegw/configs"
)

// ProviderSet provides the Verifier from the configuration.
var ProviderSet = wire.NewSet(FromConfig)

// ErrJWKSUnsupported is returned while JWT_JWKS_URL is not wired yet.
var ErrJWKSUnsupported = errors.New(
	"auth: JWT_JWKS_URL is not supported yet: use JWT_PUBLIC_KEY_FILE with the issuer's public key, or JWT_HS256_SECRET")

// FromConfig builds the Verifier the configuration asks for: the configured
// HS256 secret or public key file, or else the development secret of the
// data dir (created on first use).
func FromConfig(cfg *configs.Config) (*Verifier, error) {
	opts := Options{
		PublicKeyFile: cfg.JWT.PublicKeyFile,
		Issuer:        cfg.JWT.Issuer,
		Audience:      cfg.JWT.Audience,
		OrgClaim:      cfg.JWT.OrgClaim,
		RoleClaim:     cfg.JWT.RoleClaim,
		Leeway:        cfg.JWT.Leeway,
	}
	switch {
	case cfg.JWT.JWKSURL != "":
		return nil, ErrJWKSUnsupported
	case cfg.JWT.PublicKeyFile != "":
	default:
		secret, err := SigningSecret(cfg)
		if err != nil {
			return nil, err
		}
		opts.HS256Secret = secret
	}
	return NewVerifier(opts)
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
