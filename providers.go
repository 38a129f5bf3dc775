package main

import (
	"context"

	"go.uber.org/zap"

	"storagegw/adapters/auth"
	httpapi "storagegw/adapters/http"
	"storagegw/adapters/localfs"
	"storagegw/adapters/metrics"
	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/configs"
)

// Service is the assembled process: what serve runs.
type Service struct {
	HTTP    *httpapi.Server
	DB      *postgres.DB
	App     *application.Application
	Metrics *metrics.Metrics
}

func provideDSN(cfg *configs.Config) postgres.DSN {
	if cfg.DatabaseURL != "" {
		return postgres.DSN(cfg.DatabaseURL)
	}
	return postgres.DSN(cfg.SQLitePath())
}

func provideBlobRoot(cfg *configs.Config) localfs.Root { return localfs.Root(cfg.BlobRoot()) }

func provideBaseURL(cfg *configs.Config) localfs.BaseURL { return localfs.BaseURL(cfg.PublicURL()) }

func provideKeyFile(cfg *configs.Config) localfs.KeyFile { return localfs.KeyFile(cfg.URLKeyPath()) }

func provideClock() application.Clock { return application.SystemClock{} }

// provideJWKSErrors logs failed background refreshes of the issuer's keys.
func provideJWKSErrors(logger *zap.Logger) auth.RefreshErrorHandler {
	return func(err error) { logger.Warn("refreshing the JWK Set failed; keeping the last keys", zap.Error(err)) }
}

// provideHTTPOptions configures the HTTP adapter with the same content
// rules as the use cases, the readiness checks, and the metrics (served on
// the API listener unless metrics_addr gives them their own).
func provideHTTPOptions(cfg *configs.Config, opts application.Options, m *metrics.Metrics, checks []httpapi.ReadinessCheck) httpapi.Options {
	o := httpapi.Options{TrustedProxies: cfg.TrustedProxies, ContentRules: opts.ContentRules,
		Readiness: checks, ReadinessTimeout: cfg.ReadyzTimeout, Observer: m}
	if cfg.MetricsAddr == "" {
		o.Metrics = m.Handler()
	}
	return o
}

// provideOptions turns configuration into use-case options; failures the
// use cases cannot report to a caller are logged here, in one place.
func provideOptions(cfg *configs.Config, logger *zap.Logger, m *metrics.Metrics) (application.Options, error) {
	rules, err := cfg.ContentRules()
	if err != nil {
		return application.Options{}, err
	}
	return application.Options{
		ContentRules:     rules,
		StaleUploadAfter: cfg.Uploads.StaleAfter,
		Retention:        cfg.Retention.SoftDelete,
		Multipart: application.MultipartOptions{
			SessionTTL: cfg.Uploads.MultipartSessionTTL,
			PartSize:   int64(cfg.Uploads.MultipartPartSizeMiB) << 20,
		},
		OnBackgroundError: func(_ context.Context, op string, err error) {
			m.BackgroundError(op)
			logger.Error("background operation failed", zap.String("op", op), zap.Error(err))
		},
	}, nil
}
