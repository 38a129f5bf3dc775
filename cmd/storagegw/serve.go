package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"storagegw"
	httpapi "storagegw/adapters/http"
	"storagegw/configs"
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

func runServe(cmd *cobra.Command, getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger, flush, err := storagegw.NewLogger(cfg)
	if err != nil {
		return err
	}
	defer flush()

	// Bind first: a taken port fails the command at once, naming the
	// setting, before the database is opened or anything says "listening".
	listeners, err := listenAll(cfg)
	if err != nil {
		return err
	}
	defer func() {
		for _, l := range listeners {
			_ = l.Close() // closed already once served; a no-op then
		}
	}()

	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	svc, cleanup, err := storagegw.NewService(ctx, cfg, logger, storagegw.Version(version))
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

	// Requests run under base: once the shutdown timeout is over it is
	// cancelled, so the uploads still running stop, answer 503
	// shutting_down, release their reservations and write their failure
	// events (inflight waits for them).
	base, cut := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cut(nil)
	var inflight sync.WaitGroup
	api := newHTTPServer(cfg.Addr, tracked(svc.HTTP.Handler(), &inflight), cfg.Load.IdleTimeout)
	api.BaseContext = func(net.Listener) context.Context { return base }
	servers := []*http.Server{api}
	if cfg.MetricsAddr != "" {
		servers = append(servers, newHTTPServer(cfg.MetricsAddr, svc.Metrics.Handler(), cfg.Load.IdleTimeout))
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	logger.Info("storagegw listening", zap.String("addr", cfg.Addr), zap.String("metrics_addr", cfg.MetricsAddr),
		zap.String("public_url", cfg.PublicURL()), zap.String("data_dir", dataDir), zap.String("version", version))

	// The in-process purge, upload clean-up and audit sealing stop with ctx (a stop
	// signal); they are waited for before the database closes.
	jobs := startPurgeSchedule(ctx, cfg.Retention.PurgeInterval, svc.Core, logger)
	defer jobs.Wait()
	cleanups := startCleanupSchedule(ctx, cfg.Uploads.CleanupInterval, svc.Core, logger)
	defer cleanups.Wait()
	seals := startSealSchedule(ctx, cfg.Audit.SealInterval, svc.Core, logger)
	defer seals.Wait()

	var serveErr error
	select {
	case serveErr = <-errc:
		stop() // a listener failed: stop the schedule and the other listener too
	case <-ctx.Done():
	}
	err = shutdown(ctx, cfg.ShutdownTimeout, servers, logger)
	if err != nil && cutInFlight(cut, servers, &inflight, logger) {
		err = nil // every request cut has answered and cleaned up: a clean exit
	}
	return errors.Join(serveErr, err)
}

// listenAll binds the API's address and, when set, the metrics address,
// in the order runServe serves them. A failure names the setting and the
// address; what was bound already is closed.
func listenAll(cfg *configs.Config) ([]net.Listener, error) {
	addrs := [][2]string{{"STORAGEGW_ADDR", cfg.Addr}}
	if cfg.MetricsAddr != "" {
		addrs = append(addrs, [2]string{"STORAGEGW_METRICS_ADDR", cfg.MetricsAddr})
	}
	var out []net.Listener
	for _, a := range addrs {
		l, err := net.Listen("tcp", a[1])
		if err != nil {
			for _, l := range out {
				_ = l.Close()
			}
			return nil, fmt.Errorf("cannot listen on %s=%s (%w): stop whatever holds that address, or set %s to a free one",
				a[0], a[1], err, a[0])
		}
		out = append(out, l)
	}
	return out, nil
}

// answerWait bounds how long a shutdown waits, after cancelling the
// requests still in flight, for them to answer (an upload whose body is
// streaming stops at once and answers 503 shutting_down) before it closes
// their connections.
const answerWait = 2 * time.Second

// compensationWait bounds how long a shutdown waits, after cutting the
// requests still in flight, for their compensations (each step has its own
// budget of at most 10 s; they run in parallel) and failure events.
const compensationWait = 15 * time.Second

// tracked counts the requests h is serving in wg.
func tracked(h http.Handler, wg *sync.WaitGroup) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		h.ServeHTTP(w, r)
	})
}

// cutInFlight cancels the requests still running past the shutdown
// timeout with httpapi.ErrShuttingDown, lets them answer (up to
// answerWait: an upload reading its body fails at once with 503
// shutting_down), closes their connections (a handler still blocked then
// fails at once) and waits, up to compensationWait, for them to return: an
// upload cut this way removes its blob, releases its reservation and
// writes its failure event before the database closes. It reports whether
// all of them did; what does not finish in time is left to the
// reservation's lease and the clean-up.
func cutInFlight(cut context.CancelCauseFunc, servers []*http.Server, inflight *sync.WaitGroup, logger *zap.Logger) bool {
	logger.Warn("shutdown timeout reached: cutting the requests still in flight")
	cut(httpapi.ErrShuttingDown)
	done := make(chan struct{})
	go func() { inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(answerWait):
	}
	for _, srv := range servers {
		_ = srv.Close()
	}
	select {
	case <-done:
		logger.Info("cut requests finished their clean-up")
		return true
	case <-time.After(compensationWait):
		logger.Warn("cut requests still running; their reservations lapse with their leases",
			zap.Duration("waited", compensationWait))
		return false
	}
}

// maxHeaderBytes bounds a request's line and headers (net/http answers 431
// past it): a bearer token is a few KiB, and a client cannot make each
// request hold net/http's default of 1 MiB.
const maxHeaderBytes = 64 << 10

// newHTTPServer serves h on addr. Headers must arrive within 10 s and hold
// at most maxHeaderBytes; an idle keep-alive connection is closed after
// idle. Bodies and answers are bounded by the HTTP adapter's rate floor and
// write deadline instead of a whole-request timeout, so a long upload or
// download that moves is never cut.
func newHTTPServer(addr string, h http.Handler, idle time.Duration) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idle,
		MaxHeaderBytes: maxHeaderBytes}
}

// shutdown stops accepting connections and lets in-flight requests finish
// within timeout. What runs after it, in order: the purge, clean-up and seal
// schedules are waited for, the database, store and key refresh are
// closed (the injector's cleanup), and the logger is flushed.
func shutdown(ctx context.Context, timeout time.Duration, servers []*http.Server, logger *zap.Logger) error {
	logger.Info("shutting down: waiting for in-flight requests", zap.Duration("timeout", timeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("shutdown %s: %w", srv.Addr, err))
		}
	}
	return errors.Join(errs...)
}
