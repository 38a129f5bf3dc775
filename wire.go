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
	"storagegw/adapters/spaces"
	"storagegw/application"
	"storagegw/configs"
)

// One injector per environment (go-cloud style): local disk, or Spaces.
// environments.go picks one from the configuration. Either runs on SQLite
// or, when DATABASE_URL is set, PostgreSQL.

// initLocalService assembles the service on local disk. The local signer's
// URLs are served by the service itself, so its Signer also verifies them
// for Download.
func initLocalService(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Service, func(), error) {
	panic(wire.Build(
		databaseSet, localStoreSet,
		provideClock, provideOptions, application.New,
		provideJWKSErrors, auth.ProviderSet, wire.Bind(new(httpapi.TokenVerifier), new(*auth.Verifier)),
		provideReadiness, provideHTTPOptions, httpapi.NewServer,
		wire.Struct(new(Service), "*"),
	))
}

// databaseSet is the database, its repositories and the audit trail (whose
// failed writes are counted), and the metrics registry.
var databaseSet = wire.NewSet(
	provideDSN, postgres.ProvideDB,
	postgres.NewFileRepo, wire.Bind(new(application.FileRepository), new(*postgres.FileRepo)),
	postgres.NewSessions, wire.Bind(new(application.UploadSessions), new(*postgres.Sessions)),
	postgres.NewAuditLog, provideAuditLog, provideMetrics,
)

// localStoreSet is the local-disk blob store and its URL signer, whose
// URLs the service serves itself.
var localStoreSet = wire.NewSet(
	provideBlobRoot, provideBaseURL, provideKeyFile, localfs.ProviderSet,
	wire.Bind(new(application.SignedURLVerifier), new(*localfs.Signer)),
)

// initSpacesService assembles the service on Spaces (or any S3-compatible
// store): URLs are presigned by the store, so there is no local download
// route.
func initSpacesService(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Service, func(), error) {
	panic(wire.Build(
		databaseSet, spacesStoreSet,
		provideClock, provideOptions, application.New,
		provideJWKSErrors, auth.ProviderSet, wire.Bind(new(httpapi.TokenVerifier), new(*auth.Verifier)),
		provideReadiness, provideHTTPOptions, httpapi.NewServer,
		wire.Struct(new(Service), "*"),
	))
}

// spacesStoreSet is the Spaces blob store, which also presigns URLs.
var spacesStoreSet = wire.NewSet(spaces.OptionsFromConfig, spaces.ProviderSet)

// initLocalJobs assembles the use cases without the HTTP side, for the
// purge and reconcile commands, on local disk.
func initLocalJobs(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Jobs, func(), error) {
	panic(wire.Build(
		databaseSet, localStoreSet, provideClock, provideOptions, application.New,
		wire.Struct(new(Jobs), "*"),
	))
}

// initSpacesJobs is initLocalJobs on Spaces.
func initSpacesJobs(ctx context.Context, cfg *configs.Config, logger *zap.Logger) (*Jobs, func(), error) {
	panic(wire.Build(
		databaseSet, spacesStoreSet, provideClock, provideOptions, application.New,
		wire.Struct(new(Jobs), "*"),
	))
}

// initLocalBlobStore opens the local blob store alone, for doctor.
func initLocalBlobStore(ctx context.Context, cfg *configs.Config) (application.BlobStore, func(), error) {
	panic(wire.Build(provideBlobRoot, localfs.ProvideStore, wire.Bind(new(application.BlobStore), new(*localfs.Store))))
}

// initSpacesBlobStore opens the Spaces blob store alone, for doctor.
func initSpacesBlobStore(ctx context.Context, cfg *configs.Config) (application.BlobStore, func(), error) {
	panic(wire.Build(spaces.OptionsFromConfig, spaces.ProvideStore, wire.Bind(new(application.BlobStore), new(*spaces.Store))))
}

// initDatabase opens the configured database alone, for migrate.
func initDatabase(ctx context.Context, cfg *configs.Config) (*postgres.DB, func(), error) {
	panic(wire.Build(provideDSN, postgres.ProvideDB))
}
