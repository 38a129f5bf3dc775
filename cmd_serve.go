package main

import (
	"context"
	"errors"
	"net/http"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"storagegw/adapters/logging"
)

func newServeCommand(getenv func(string) string) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the REST API (the default command)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, getenv)
		},
	}
}

// shutdownTimeout bounds how long in-flight requests may take to finish
// once a stop signal arrived.
const shutdownTimeout = 30 * time.Second

func runServe(cmd *cobra.Command, getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger, flush, err := logging.FromConfig(cfg)
	if err != nil {
		return err
	}
	defer flush()

	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	svc, cleanup, err := initService(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()

	dataDir, _ := filepath.Abs(cfg.DataDir)
	if cfg.UsesDevDefaults() {
		logger.Warn("DEVELOPMENT DEFAULT: SQLite database and local-disk blobs under the data dir; not for production",
			zap.String("data_dir", dataDir), zap.String("database", cfg.SQLitePath()), zap.String("blobs", cfg.BlobRoot()))
	}
	if cfg.MigrateOnStart {
		if err := svc.DB.Migrate(ctx); err != nil {
			return err
		}
	}

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           svc.HTTP.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("storagegw listening", zap.String("addr", cfg.Addr), zap.String("public_url", cfg.PublicURL()),
		zap.String("data_dir", dataDir), zap.String("version", version))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: waiting for in-flight requests", zap.Duration("timeout", shutdownTimeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
