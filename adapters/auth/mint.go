package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

// DefaultTTL is the lifetime of a minted token when MintParams.TTL is zero.
const DefaultTTL = time.Hour

// MintParams describe the token Mint signs.
type MintParams struct {
	Sub       string
	Org       string
	Role      string
	TTL       time.Duration // 0 = DefaultTTL
	Issuer    string        // optional iss
	Audience  string        // optional aud
	OrgClaim  string        // "" = org_id; match the verifier's
	RoleClaim string        // "" = role; match the verifier's
}

// Mint signs an HS256 token for p, valid from now for p.TTL. It refuses a
// short secret, an unknown role and ids the verifier would refuse.
func Mint(secret []byte, p MintParams, now time.Time) (string, error) {
	if len(secret) < minSecretBytes {
		return "", fmt.Errorf("auth: mint: the HS256 secret is shorter than %d bytes", minSecretBytes)
	}
	if p.Sub == "" {
		return "", errors.New("auth: mint: sub is empty")
	}
	if p.Org == "" {
		return "", errors.New("auth: mint: org is empty")
	}
	if _, err := domain.ParseRole(p.Role); err != nil {
		return "", fmt.Errorf("auth: mint: role %q is not one of viewer, member, admin, auditor", p.Role)
	}
	if _, err := domain.NewPrincipal(p.Sub, p.Org, p.Role); err != nil {
		return "", fmt.Errorf("auth: mint: sub must be 1 to 256 bytes and org only letters, digits, '_' and '-': %w", err)
	}
	if p.TTL < 0 {
		return "", fmt.Errorf("auth: mint: TTL %s is negative", p.TTL)
	}
	if p.TTL == 0 {
		p.TTL = DefaultTTL
	}
	orgClaim, roleClaim := p.OrgClaim, p.RoleClaim
	if orgClaim == "" {
		orgClaim = "org_id"
	}
	if roleClaim == "" {
		roleClaim = "role"
	}
	claims := jwt.MapClaims{
		"sub":     p.Sub,
		orgClaim:  p.Org,
		roleClaim: p.Role,
		"iat":     jwt.NewNumericDate(now),
		"exp":     jwt.NewNumericDate(now.Add(p.TTL)),
	}
	if p.Issuer != "" {
		claims["iss"] = p.Issuer
	}
	if p.Audience != "" {
		claims["aud"] = p.Audience
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}
