package main

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"storagegw/application"
)

// maxFirstPurgeDelay bounds the wait before the first scheduled purge, so
// a service restarted more often than the interval still purges.
const maxFirstPurgeDelay = time.Minute

// startPurgeSchedule runs the retention purge in the background every
// interval until ctx ends (nothing when interval is 0). Replicas may all
// run it: batches are claimed, so they share the work. The returned group
// is done once a run in progress has stopped.
func startPurgeSchedule(ctx context.Context, interval time.Duration, svc *Service, logger *zap.Logger) *sync.WaitGroup {
	var wg sync.WaitGroup
	if interval <= 0 {
		return &wg
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTimer(min(interval, maxFirstPurgeDelay))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			scheduledPurge(ctx, svc, logger)
			t.Reset(interval)
		}
	}()
	logger.Info("retention purge scheduled", zap.Duration("interval", interval))
	return &wg
}

// scheduledPurge runs one purge, counts it and logs its outcome once.
func scheduledPurge(ctx context.Context, svc *Service, logger *zap.Logger) {
	rep, err := svc.App.Purge.Run(ctx, application.PurgeCommand{})
	svc.Metrics.PurgeDone(rep, err)
	fields := []zap.Field{zap.Int64("purged", rep.Purged), zap.Int64("bytes", rep.Bytes),
		zap.Int64("failures", rep.Failures), zap.Int64("skipped", rep.Skipped)}
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
