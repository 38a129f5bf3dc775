//go:build wireinject

package main

import (
	"context"

	"github.com/google/wire"
	"go.uber.org/zap"

	"storagegw/adapters/auth"
	httpapi "storagegw/adapters/http"
	"storagegw/adapters/localfs"
	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/configs"
)

// initService assembles the service on local disk, with SQLite or (when
// DATABASE_URL is set) PostgreSQL. The local signer's URLs are served by
// the service itself, so its Signer also verifies them for Download.
func initService(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Service, func(), error) {
	panic(wire.Build(
		provideDSN, postgres.ProviderSet,
		provideBlobRoot, provideBaseURL, provideKeyFile, localfs.ProviderSet,
		wire.Bind(new(application.SignedURLVerifier), new(*localfs.Signer)),
		provideClock, provideOptions, application.New, application.NewDownload,
		provideJWKSErrors, auth.ProviderSet, wire.Bind(new(httpapi.TokenVerifier), new(*auth.Verifier)),
		provideHTTPOptions, httpapi.NewServer,
		wire.Struct(new(Service), "*"),
	))
}

// initDatabase opens the configured database alone, for migrate.
func initDatabase(ctx context.Context, cfg *configs.Config) (*postgres.DB, func(), error) {
	panic(wire.Build(provideDSN, postgres.ProvideDB))
}
