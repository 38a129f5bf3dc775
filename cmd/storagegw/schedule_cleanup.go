package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"storagegw"
)

// startCleanupSchedule cleans up expired multipart uploads and
// Idempotency-Keys every interval
// (see every). Replicas may all run it: sessions are claimed one at a time.
func startCleanupSchedule(ctx context.Context, interval time.Duration, core *storagegw.Core, logger *zap.Logger) *sync.WaitGroup {
	if interval > 0 {
		logger.Info("upload clean-up scheduled", zap.Duration("interval", interval))
	}
	return every(ctx, interval, func(ctx context.Context) { scheduledCleanup(ctx, core, logger) })
}

// scheduledCleanup runs one clean-up and logs its outcome once (quietly
// when there was nothing to do).
func scheduledCleanup(ctx context.Context, core *storagegw.Core, logger *zap.Logger) {
	rep, err := core.App.CleanupUploads.Run(ctx)
	keys, kerr := expireIdempotencyKeys(ctx, core.App)
	links, lerr := expireLinks(ctx, core.App)
	err = errors.Join(err, kerr, lerr)
	fields := []zap.Field{zap.Int64("sessions", rep.Sessions), zap.Int64("store_uploads", rep.StoreUploads),
		zap.Int64("skipped", rep.Skipped), zap.Int64("failures", rep.Failures), zap.Int64("idempotency_keys", keys),
		zap.Int64("links", links)}
	switch {
	case err != nil && ctx.Err() != nil:
		logger.Info("upload clean-up interrupted by shutdown", fields...)
	case err != nil:
		logger.Error("upload clean-up failed", append(fields, zap.Error(err))...)
	case rep.Failures > 0:
		logger.Warn("upload clean-up left uploads for the next run", fields...)
	case rep.Sessions > 0 || rep.StoreUploads > 0 || keys > 0 || links > 0:
		logger.Info("upload clean-up done", fields...)
	}
}
