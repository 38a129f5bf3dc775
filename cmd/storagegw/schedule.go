package main

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"storagegw"
	"storagegw/application"
)

// maxFirstRunDelay bounds the wait before the first run of a scheduled
// job, so a service restarted more often than the interval still runs it.
const maxFirstRunDelay = time.Minute

// every runs job in the background every interval until ctx ends (nothing
// when interval is 0); the first run comes after min(interval, a minute).
// The returned group is done once a run in progress has stopped.
func every(ctx context.Context, interval time.Duration, job func(context.Context)) *sync.WaitGroup {
	var wg sync.WaitGroup
	if interval <= 0 {
		return &wg
	}
	wg.Go(func() {
		t := time.NewTimer(min(interval, maxFirstRunDelay))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			job(ctx)
			t.Reset(interval)
		}
	})
	return &wg
}

// startPurgeSchedule runs the retention purge every interval (see every).
// Replicas may all run it: batches are claimed, so they share the work.
func startPurgeSchedule(ctx context.Context, interval time.Duration, core *storagegw.Core, logger *zap.Logger) *sync.WaitGroup {
	if interval > 0 {
		logger.Info("retention purge scheduled", zap.Duration("interval", interval))
	}
	return every(ctx, interval, func(ctx context.Context) { scheduledPurge(ctx, core, logger) })
}

// scheduledPurge runs one purge, counts it and logs its outcome once.
func scheduledPurge(ctx context.Context, core *storagegw.Core, logger *zap.Logger) {
	rep, err := core.App.Purge.Run(ctx, application.PurgeCommand{})
	core.Metrics.PurgeDone(rep, err)
	fields := []zap.Field{zap.Int64("purged", rep.Purged), zap.Int64("bytes", rep.Bytes),
		zap.Int64("versions_purged", rep.VersionsPurged), zap.Int64("version_bytes", rep.VersionBytes),
		zap.Int64("failures", rep.Failures), zap.Int64("skipped", rep.Skipped), zap.Int64("held", rep.Held)}
	switch {
	case err != nil && ctx.Err() != nil:
		logger.Info("retention purge interrupted by shutdown; the next run resumes it", fields...)
	case err != nil:
		logger.Error("retention purge failed", append(fields, zap.Error(err))...)
	case rep.Failures > 0:
		logger.Warn("retention purge left files for the next run", fields...)
	default:
		logger.Info("retention purge done", fields...)
	}
}
