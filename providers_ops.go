package main

import (
	"context"

	httpapi "storagegw/adapters/http"
	"storagegw/adapters/metrics"
	"storagegw/adapters/postgres"
	"storagegw/application"
)

// Jobs is what the operator commands (purge, reconcile) need: the use
// cases over the configured database and store, and the metrics they may
// write to a textfile.
type Jobs struct {
	DB      *postgres.DB
	App     *application.Application
	Metrics *metrics.Metrics
}

// provideMetrics builds the registry, with the database pool's statistics.
func provideMetrics(db *postgres.DB) (*metrics.Metrics, error) {
	m := metrics.New(version)
	if err := m.CollectDB(db.SQL()); err != nil {
		return nil, err
	}
	return m, nil
}

// provideAuditLog is the database audit trail, counting failed writes.
func provideAuditLog(log *postgres.AuditLog, m *metrics.Metrics) application.AuditLog {
	return m.AuditLog(log)
}

// provideReadiness lists what /readyz checks: a database ping, and the
// blob store's own check when it has one (localfs stats its directories,
// spaces checks its bucket), else a one-key listing.
func provideReadiness(db *postgres.DB, blobs application.BlobStore) []httpapi.ReadinessCheck {
	check := func(ctx context.Context) error {
		_, err := blobs.List(ctx, "", "", 1)
		return err
	}
	if hc, ok := blobs.(application.HealthChecker); ok {
		check = hc.Check
	}
	return []httpapi.ReadinessCheck{{Name: "database", Check: db.Ping}, {Name: "blob_store", Check: check}}
}
