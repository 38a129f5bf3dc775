//go:build wireinject

package storagegw

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

// One injector per environment (go-cloud style): local disk or Spaces,
// either on SQLite or, when DATABASE_URL is set, PostgreSQL. Each builds
// the environment's Core; NewCore picks one from the configuration. The
// HTTP side does not vary: initHTTP builds it over any Core.

// initLocal assembles the use cases on local disk. The local signer also
// verifies the URLs it signs and the store receives multipart parts, so
// the application has Download and ReceivePart.
func initLocal(ctx context.Context, cfg *configs.Config, logger *zap.Logger, version Version) (*Core, func(), error) {
	panic(wire.Build(databaseSet, localStoreSet, useCaseSet))
}

// initSpaces assembles the use cases on Spaces (or any S3-compatible
// store), which presigns URLs and receives parts itself.
func initSpaces(ctx context.Context, cfg *configs.Config, logger *zap.Logger, version Version) (*Core, func(), error) {
	panic(wire.Build(databaseSet, SpacesOptions, spaces.ProviderSet, wire.Bind(new(application.PartWriter), new(*spaces.Store)), useCaseSet))
}

// initHTTP builds the HTTP adapter over core: the token verifier (which
// fetches a JWK Set when one is configured), the readiness checks and the
// metrics.
func initHTTP(ctx context.Context, cfg *configs.Config, logger *zap.Logger, core *Core) (*httpapi.Server, func(), error) {
	panic(wire.Build(
		wire.FieldsOf(new(*Core), "App", "Options", "Metrics", "Readiness"),
		AuthSettings, provideJWKSErrors, auth.ProvideVerifier, wire.Bind(new(httpapi.TokenVerifier), new(*auth.Verifier)),
		provideHTTPOptions, httpapi.NewServer,
	))
}

// databaseSet is the database (whose transactions carry a change with its
// audit event), its repositories, the audit trail (reads' events written in
// group commits, failed writes counted; its writer stops before the
// database closes) and its chain, and the metrics registry.
var databaseSet = wire.NewSet(
	provideDSN, DatabaseOptions, postgres.ProvideDB, wire.Bind(new(application.Transactor), new(*postgres.DB)),
	postgres.NewFileRepo, wire.Bind(new(application.FileRepository), new(*postgres.FileRepo)),
	postgres.NewSessions, wire.Bind(new(application.UploadSessions), new(*postgres.Sessions)),
	postgres.NewTusUploads, wire.Bind(new(application.TusUploads), new(*postgres.TusUploads)),
	postgres.NewIdempotencyKeys, wire.Bind(new(application.IdempotencyKeys), new(*postgres.IdempotencyKeys)),
	postgres.NewLinks, wire.Bind(new(application.Links), new(*postgres.Links)),
	postgres.NewLegalHolds, wire.Bind(new(application.LegalHolds), new(*postgres.LegalHolds)),
	postgres.NewVersions, wire.Bind(new(application.FileVersions), new(*postgres.Versions)),
	provideBatchOptions, postgres.ProvideAuditLog, provideAuditLog, provideMetrics,
	postgres.NewAuditChain, wire.Bind(new(application.AuditChain), new(*postgres.AuditChain)),
)

// localStoreSet is the local-disk blob store and its URL signer.
var localStoreSet = wire.NewSet(provideBlobRoot, provideBaseURL, provideKeyFile, localfs.ProviderSet,
	wire.Bind(new(application.PartWriter), new(*localfs.Multipart)))

// useCaseSet is the application over the environment's ports, and what
// /readyz checks.
var useCaseSet = wire.NewSet(
	provideClock, provideChainOptions, provideOptions, provideLinkOptions, provideApplication, provideReadiness,
	wire.Struct(new(Core), "*"),
)
