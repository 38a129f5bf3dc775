package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"storagegw"
	"storagegw/adapters/auth"
	"storagegw/application"
	"storagegw/configs"
)

// doctorChecks are the checks after the configuration's, in order.
func doctorChecks() []doctorCheck {
	return []doctorCheck{
		{"database", checkDatabase},
		{"migrations", checkMigrations},
		{"blob store", checkBlobStore},
		{"tokens", checkTokens},
	}
}

// checkDatabase opens the database and pings it.
func checkDatabase(ctx context.Context, cfg *configs.Config) (string, error) {
	db, cleanup, err := storagegw.OpenDatabase(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer cleanup()
	start := time.Now()
	if err := db.Ping(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s answers (ping %s)", db.Dialect(), time.Since(start).Round(time.Microsecond)), nil
}

// checkMigrations fails unless every migration is applied.
func checkMigrations(ctx context.Context, cfg *configs.Config) (string, error) {
	db, cleanup, err := storagegw.OpenDatabase(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer cleanup()
	states, err := db.MigrationStatus(ctx)
	if err != nil {
		return "", err
	}
	var pending []string
	for _, s := range states {
		if !s.Applied {
			pending = append(pending, s.Name)
		}
	}
	if len(pending) > 0 {
		return "", fmt.Errorf("%d of %d pending (%s): run `storagegw migrate`", len(pending), len(states), strings.Join(pending, ", "))
	}
	return fmt.Sprintf("all %d applied", len(states)), nil
}

// checkBlobStore writes, reads back and deletes a probe object.
func checkBlobStore(ctx context.Context, cfg *configs.Config) (string, error) {
	blobs, cleanup, err := storagegw.OpenBlobStore(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer cleanup()
	key, err := application.ProbeBlobStore(ctx, blobs)
	if err != nil {
		return "", fmt.Errorf("probe %s: %w", key, err)
	}
	return "wrote, read back and deleted " + key, nil
}

// checkTokens builds the verifier as serve does (fetching a JWK Set) and,
// when the service holds the HS256 secret, signs a token and verifies it.
func checkTokens(ctx context.Context, cfg *configs.Config) (string, error) {
	// ProvideVerifier fetches a JWK Set before it returns (and fails if it
	// cannot); later background refreshes do not matter here.
	settings := storagegw.AuthSettings(cfg)
	v, cleanup, err := auth.ProvideVerifier(ctx, settings, func(error) {})
	if err != nil {
		return "", err
	}
	defer cleanup()
	switch {
	case cfg.JWT.JWKSURL != "":
		return "JWK Set fetched from " + cfg.JWT.JWKSURL, nil
	case cfg.JWT.PublicKeyFile != "":
		return "public key loaded from " + cfg.JWT.PublicKeyFile, nil
	}
	secret, err := auth.SigningSecret(settings)
	if err != nil {
		return "", err
	}
	p := settings.MintParams(auth.MintParams{Sub: "doctor", Org: "doctor", Role: "viewer", TTL: time.Minute})
	tok, err := auth.Mint(secret, p, time.Now())
	if err != nil {
		return "", err
	}
	if _, err := v.Verify(ctx, tok); err != nil {
		return "", fmt.Errorf("a token signed with the secret does not verify: %w", err)
	}
	source := fmt.Sprintf("JWT_HS256_SECRET (%d bytes)", len(secret))
	if !cfg.JWT.HS256Secret.IsSet() {
		source = "the development secret in " + cfg.DevSecretPath() + " (not for production)"
	}
	return source + " signs and verifies tokens", nil
}
