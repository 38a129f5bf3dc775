// Package storagegw is the composition root: it turns the configuration
// into the service's parts, with one wire injector per environment (local
// disk, Spaces) in wire.go. The commands that run them are in
// cmd/storagegw.
package storagegw

//go:generate go tool mockery
//go:generate go tool wire gen .

import (
	"context"

	"go.uber.org/zap"

	"storagegw/adapters/auth"
	httpapi "storagegw/adapters/http"
	"storagegw/adapters/localfs"
	"storagegw/adapters/logging"
	"storagegw/adapters/metrics"
	"storagegw/adapters/postgres"
	"storagegw/adapters/spaces"
	"storagegw/application"
	"storagegw/configs"
)

// Version is the build's version, reported by the metrics.
type Version string

// Core is an environment's use cases over its database and store, without
// the HTTP side: what the operator jobs need, and what serve builds on.
type Core struct {
	DB        *postgres.DB
	App       *application.Application
	Options   application.Options
	Metrics   *metrics.Metrics
	Readiness []httpapi.ReadinessCheck
}

// Service is the assembled process: what serve runs.
type Service struct {
	*Core
	HTTP *httpapi.Server
}

// NewCore assembles the environment the configuration selects: local disk
// when no SPACES_* setting is given, Spaces otherwise (configs.Validate
// makes sure they are all given). The cleanup writes the audit events
// still queued, then closes the database and the store.
func NewCore(ctx context.Context, cfg *configs.Config, logger *zap.Logger, version Version) (*Core, func(), error) {
	if cfg.UsesLocalDisk() {
		return initLocal(ctx, cfg, logger, version)
	}
	return initSpaces(ctx, cfg, logger, version)
}

// NewService assembles the core and the HTTP adapter over it. The cleanup
// stops the key refresh and closes the database and the store.
func NewService(ctx context.Context, cfg *configs.Config, logger *zap.Logger, version Version) (*Service, func(), error) {
	core, cleanup, err := NewCore(ctx, cfg, logger, version)
	if err != nil {
		return nil, nil, err
	}
	srv, httpCleanup, err := initHTTP(ctx, cfg, logger, core)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return &Service{Core: core, HTTP: srv}, func() { httpCleanup(); cleanup() }, nil
}

// OpenDatabase opens the configured database alone (migrate, doctor).
func OpenDatabase(ctx context.Context, cfg *configs.Config) (*postgres.DB, func(), error) {
	return postgres.ProvideDB(ctx, provideDSN(cfg), DatabaseOptions(cfg))
}

// OpenBlobStore opens the configured blob store alone (doctor).
func OpenBlobStore(ctx context.Context, cfg *configs.Config) (application.BlobStore, func(), error) {
	if cfg.UsesLocalDisk() {
		return localfs.ProvideStore(provideBlobRoot(cfg))
	}
	return spaces.ProvideStore(ctx, SpacesOptions(cfg))
}

// NewLogger builds the logger the configuration asks for; the cleanup
// flushes it.
func NewLogger(cfg *configs.Config) (*zap.Logger, func(), error) {
	return logging.Provide(logging.Options{Level: cfg.Log.Level, Format: cfg.LogFormat()})
}

// AuthSettings maps the JWT_* settings to the token verifier's.
func AuthSettings(cfg *configs.Config) auth.Settings {
	s := auth.Settings{JWKSURL: cfg.JWT.JWKSURL, PublicKeyFile: cfg.JWT.PublicKeyFile, DevSecretFile: cfg.DevSecretPath(),
		Issuer: cfg.JWT.Issuer, Audience: cfg.JWT.Audience, OrgClaim: cfg.JWT.OrgClaim, RoleClaim: cfg.JWT.RoleClaim,
		Leeway: cfg.JWT.Leeway, JWKSRefreshInterval: cfg.JWT.JWKSRefreshInterval,
		JWKSUnknownKIDRefreshInterval: cfg.JWT.JWKSUnknownKIDRefreshInterval}
	if cfg.JWT.HS256Secret.IsSet() {
		s.HS256Secret = []byte(cfg.JWT.HS256Secret.Value())
	}
	return s
}

// SpacesOptions maps the SPACES_* settings to the Spaces store's options.
func SpacesOptions(cfg *configs.Config) spaces.Options {
	sc := cfg.Spaces
	return spaces.Options{
		Endpoint:    sc.Endpoint,
		Region:      sc.Region,
		Bucket:      sc.Bucket,
		AccessKey:   sc.AccessKey.Value(),
		SecretKey:   sc.SecretKey.Value(),
		CDNEndpoint: sc.CDNEndpoint,
		Insecure:    !sc.UseSSL,
		PathStyle:   sc.PathStyle,

		PartSize:         uint64(sc.PartSizeMiB) << 20,
		RequestTimeout:   sc.RequestTimeout,
		OperationTimeout: sc.OperationTimeout,
	}
}

func provideDSN(cfg *configs.Config) postgres.DSN {
	if cfg.DatabaseURL != "" {
		return postgres.DSN(cfg.DatabaseURL)
	}
	return postgres.DSN(cfg.SQLitePath())
}

// DatabaseOptions maps the DATABASE_* bounds to the database's options.
func DatabaseOptions(cfg *configs.Config) postgres.Options {
	d := cfg.Database
	return postgres.Options{ConnectTimeout: d.ConnectTimeout, StatementTimeout: d.StatementTimeout,
		OperationTimeout: d.OperationTimeout, MaxConns: d.MaxConns}
}

func provideBlobRoot(cfg *configs.Config) localfs.Root { return localfs.Root(cfg.BlobRoot()) }

func provideBaseURL(cfg *configs.Config) localfs.BaseURL { return localfs.BaseURL(cfg.PublicURL()) }

func provideKeyFile(cfg *configs.Config) localfs.KeyFile { return localfs.KeyFile(cfg.URLKeyPath()) }

func provideClock() application.Clock { return application.SystemClock{} }

// provideMetrics builds the registry, with the database pool's statistics.
func provideMetrics(db *postgres.DB, version Version) (*metrics.Metrics, error) {
	m := metrics.New(string(version))
	if err := m.CollectDB(db.SQL()); err != nil {
		return nil, err
	}
	return m, nil
}

// provideAuditLog is the database audit writer (group commits on SQLite,
// single-row on PostgreSQL: postgres.ProvideAuditLog), counting failed
// writes.
func provideAuditLog(log postgres.AuditWriter, m *metrics.Metrics) application.AuditLog {
	return m.AuditLog(log.AuditLog)
}

// provideBatchOptions bounds the audit writer (the defaults) and reports
// its commits and refusals to the metrics.
func provideBatchOptions(m *metrics.Metrics) postgres.BatchOptions {
	o := postgres.DefaultBatchOptions
	o.OnBatch, o.OnQueueFull = m.AuditBatch, m.AuditQueueFull
	return o
}

// provideReadiness lists what /readyz checks: a database ping, the
// blob store's own check when it has one (localfs stats its directories,
// spaces checks its bucket), else a one-key listing, and the data dir's
// free space when local blobs or SQLite live there.
func provideReadiness(cfg *configs.Config, db *postgres.DB, blobs application.BlobStore) []httpapi.ReadinessCheck {
	blobs = application.CheckedStore(blobs) // the one spelling of a store failure
	check := func(ctx context.Context) error {
		_, err := blobs.List(ctx, "", "", 1)
		return err
	}
	if hc, ok := blobs.(application.HealthChecker); ok {
		check = hc.Check
	}
	checks := []httpapi.ReadinessCheck{{Name: "database", Check: db.Ping}, {Name: "blob_store", Check: check}}
	if (cfg.UsesLocalDisk() || cfg.UsesSQLite()) && cfg.MinFreeDiskMiB > 0 {
		checks = append(checks, httpapi.ReadinessCheck{Name: "disk",
			Check: localfs.FreeSpaceCheck(cfg.DataDir, cfg.MinFreeDiskMiB)})
	}
	return checks
}

// provideApplication is the use cases over the environment's ports
// (application.New), with Idempotency-Keys kept in the database, TUS
// uploads (their state in the database, bytes through the store's part
// writer), the links of signed URLs, the file versions and the legal holds
// in the database.
func provideApplication(blobs application.BlobStore, files application.FileRepository, audit application.AuditLog,
	sessions application.UploadSessions, tx application.Transactor, chain application.AuditChain, signer application.URLSigner,
	clock application.Clock, opts application.Options, keys application.IdempotencyKeys,
	tus application.TusUploads, parts application.PartWriter, links application.Links, lopts application.LinkOptions,
	versions application.FileVersions, holds application.LegalHolds) *application.Application {
	app := application.New(blobs, files, audit, sessions, tx, chain, signer, clock, opts)
	app.Idempotency = application.NewIdempotency(keys, audit, tx, clock, opts)
	app.EnableTus(tus, parts, application.TusOptions{})
	app.EnableLinks(links, lopts)
	app.EnableVersions(versions)
	app.EnableLegalHolds(holds)
	return app
}

// provideLinkOptions configures the links of signed URLs: the gateway
// kinds, and on a store that presigns (Spaces) the gateway's signer, under
// STORAGEGW_LINK_SIGNING_SECRET or the data dir's URL-signing key, for URLs
// under STORAGEGW_PUBLIC_URL. On local disk the local signer serves every
// URL itself.
func provideLinkOptions(cfg *configs.Config, clock application.Clock) (application.LinkOptions, error) {
	kinds, err := cfg.GatewayLinkKinds()
	if err != nil {
		return application.LinkOptions{}, err
	}
	o := application.LinkOptions{GatewayKinds: kinds}
	if cfg.UsesLocalDisk() {
		return o, nil
	}
	key := []byte(cfg.Links.SigningSecret.Value())
	if len(key) == 0 {
		if key, err = localfs.LoadOrCreateKey(cfg.URLKeyPath()); err != nil {
			return application.LinkOptions{}, err
		}
	}
	gw, err := localfs.NewSigner(cfg.PublicURL(), key, clock)
	if err != nil {
		return application.LinkOptions{}, err
	}
	o.Gateway = gw
	return o, nil
}

// provideOptions turns configuration into use-case options; failures the
// use cases cannot report to a caller are logged here, in one place.
func provideOptions(cfg *configs.Config, logger *zap.Logger, m *metrics.Metrics, chain application.ChainOptions) (application.Options, error) {
	rules, err := cfg.ContentRules()
	if err != nil {
		return application.Options{}, err
	}
	capabilities, err := capabilityOptions(cfg)
	if err != nil {
		return application.Options{}, err
	}
	quotas, err := cfg.QuotaPolicy()
	if err != nil {
		return application.Options{}, err
	}
	unversioned, err := cfg.UnversionedKinds()
	if err != nil {
		return application.Options{}, err
	}
	return application.Options{
		Versions:     application.VersionOptions{Unversioned: unversioned, Retention: cfg.Versions.Retention},
		Quotas:       quotas,
		Capabilities: capabilities,
		ContentRules: rules,
		UploadLease:  cfg.Uploads.Lease,
		Retention:    cfg.Retention.SoftDelete,
		Chain:        chain,
		Idempotency:  application.IdempotencyOptions{TTL: cfg.Uploads.IdempotencyTTL, Lease: cfg.Uploads.IdempotencyLease},
		Multipart: application.MultipartOptions{
			SessionTTL: cfg.Uploads.MultipartSessionTTL,
			PartSize:   int64(cfg.Uploads.MultipartPartSizeMiB) << 20,
			ClaimLease: cfg.Uploads.MultipartClaimLease,
		},
		OnBackgroundError: func(_ context.Context, op string, err error) {
			m.BackgroundError(op)
			logger.Error("background operation failed", zap.String("op", op), zap.Error(err))
		},
	}, nil
}

// capabilityOptions seals upload capabilities with the configured secret,
// or with a development secret generated into the data dir.
func capabilityOptions(cfg *configs.Config) (application.CapabilityOptions, error) {
	sealer, err := auth.ProvideCapabilitySealer([]byte(cfg.Uploads.CapabilitySecret.Value()), cfg.CapabilitySecretPath())
	if err != nil {
		return application.CapabilityOptions{}, err
	}
	return application.CapabilityOptions{Sealer: sealer, TTL: cfg.Uploads.CapabilityTTL}, nil
}

// provideChainOptions loads the audit checkpoint keys (a development key
// is generated into the data dir when none is configured) and the
// sealer's settings.
func provideChainOptions(cfg *configs.Config) (application.ChainOptions, error) {
	key, err := localfs.LoadAuditSigningKey(cfg.AuditKeyPath(), cfg.Audit.SigningKeyFile == "")
	if err != nil {
		return application.ChainOptions{}, err
	}
	retired, err := localfs.LoadAuditVerifyKeys(cfg.Audit.VerifyKeysFile)
	if err != nil {
		return application.ChainOptions{}, err
	}
	a := cfg.Audit
	return application.ChainOptions{SigningKey: key, VerifyKeys: retired, CheckpointEvery: a.CheckpointEvery,
		CheckpointInterval: a.CheckpointInterval, Grace: a.UnsealedGrace}, nil
}

// provideJWKSErrors logs failed background refreshes of the issuer's keys.
func provideJWKSErrors(logger *zap.Logger) auth.RefreshErrorHandler {
	return func(err error) { logger.Warn("refreshing the JWK Set failed; keeping the last keys", zap.Error(err)) }
}

// provideHTTPOptions configures the HTTP adapter with the same content
// rules as the use cases, the readiness checks, and the metrics (served on
// the API listener unless metrics_addr gives them their own).
func provideHTTPOptions(cfg *configs.Config, opts application.Options, m *metrics.Metrics, checks []httpapi.ReadinessCheck) httpapi.Options {
	l := cfg.Load
	o := httpapi.Options{TrustedProxies: cfg.TrustedProxies, ContentRules: opts.ContentRules, PublicURL: cfg.PublicURL(),
		Readiness: checks, ReadinessTimeout: cfg.ReadyzTimeout, Observer: m,
		Limits: httpapi.Limits{MaxInFlight: l.MaxInFlight, MaxUploads: l.MaxUploads, MaxUploadsPerOrg: l.MaxUploadsPerOrg,
			RetryAfter: l.RetryAfter, MinBodyRate: int64(l.MinBodyRateKiB) << 10, BodyRateWindow: l.BodyRateWindow,
			WriteTimeout: l.WriteTimeout},
		CORSOrigins: cfg.CORSAllowList()}
	if cfg.MetricsAddr == "" {
		o.Metrics = m.Handler()
	}
	return o
}
