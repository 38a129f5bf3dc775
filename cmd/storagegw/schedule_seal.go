package main

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"storagegw"
)

// startSealSchedule seals the audit trail every interval (see every): the
// first run looks at every event, later ones back audit's lookback.
// Replicas may all run it: one at a time holds the seal, the others find
// it busy.
func startSealSchedule(ctx context.Context, interval time.Duration, core *storagegw.Core, logger *zap.Logger) *sync.WaitGroup {
	if interval > 0 {
		logger.Info("audit sealing scheduled", zap.Duration("interval", interval))
	}
	full := true
	return every(ctx, interval, func(ctx context.Context) {
		if scheduledSeal(ctx, core, logger, full) {
			full = false
		}
	})
}

// scheduledSeal runs one seal and logs a failure; it reports whether the
// run completed.
func scheduledSeal(ctx context.Context, core *storagegw.Core, logger *zap.Logger, full bool) bool {
	rep, err := core.App.SealAudit.Run(ctx, full)
	fields := []zap.Field{zap.Int64("linked", rep.Linked), zap.Int64("checkpoints", rep.Checkpoints), zap.Bool("full", full)}
	switch {
	case err != nil && ctx.Err() != nil:
		return false
	case err != nil:
		logger.Error("audit sealing failed; the next run retries", append(fields, zap.Error(err))...)
		return false
	case rep.Busy:
		return false
	case rep.Linked > 0 || rep.Checkpoints > 0:
		logger.Debug("audit events sealed", fields...)
	}
	return true
}
