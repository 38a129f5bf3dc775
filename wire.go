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
		databaseSet, localStoreSet,
		provideClock, provideOptions, application.New, application.NewDownload,
		provideJWKSErrors, auth.ProviderSet, wire.Bind(new(httpapi.TokenVerifier), new(*auth.Verifier)),
		provideReadiness, provideHTTPOptions, httpapi.NewServer,
		wire.Struct(new(Service), "*"),
	))
}

// databaseSet is the database, its repository and the audit trail (whose
// failed writes are counted), and the metrics registry.
var databaseSet = wire.NewSet(
	provideDSN, postgres.ProvideDB,
	postgres.NewFileRepo, wire.Bind(new(application.FileRepository), new(*postgres.FileRepo)),
	postgres.NewAuditLog, provideAuditLog, provideMetrics,
)

// localStoreSet is the local-disk blob store and its URL signer, whose
// URLs the service serves itself.
var localStoreSet = wire.NewSet(
	provideBlobRoot, provideBaseURL, provideKeyFile, localfs.ProviderSet,
	wire.Bind(new(application.SignedURLVerifier), new(*localfs.Signer)),
)

// initJobs assembles the use cases without the HTTP side, for the purge
// and reconcile commands.
func initJobs(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Jobs, func(), error) {
	panic(wire.Build(
		databaseSet, localStoreSet, provideClock, provideOptions, application.New,
		wire.Struct(new(Jobs), "*"),
	))
}

// initBlobStore opens the configured blob store alone, for doctor.
func initBlobStore(ctx context.Context, cfg *configs.Config) (application.BlobStore, func(), error) {
	panic(wire.Build(provideBlobRoot, localfs.ProvideStore, wire.Bind(new(application.BlobStore), new(*localfs.Store))))
}

// initDatabase opens the configured database alone, for migrate.
func initDatabase(ctx context.Context, cfg *configs.Config) (*postgres.DB, func(), error) {
	panic(wire.Build(provideDSN, postgres.ProvideDB))
}
