// Package metrics exposes storagegw's Prometheus metrics, on a registry of
// its own (never the global one): HTTP traffic, uploads, audit and
// background failures, retention purge and reconciliation runs, the
// database pool, and the Go runtime.
package metrics

import (
	"database/sql"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of the service.
const namespace = "storagegw"

// Metrics is the service's registry and its collectors. Its methods are
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec   // route, method, status
	duration    *prometheus.HistogramVec // route, method
	received    *prometheus.CounterVec   // route
	sent        *prometheus.CounterVec   // route
	uploads     *prometheus.CounterVec   // system, object_type
	uploadBytes *prometheus.CounterVec   // system, object_type
	refused     *prometheus.CounterVec   // reason
	shed        *prometheus.CounterVec   // reason
	auditFailed prometheus.Counter
	auditCommit prometheus.Histogram // group commits of the audit trail
	auditEvents prometheus.Counter   // events in them
	auditFull   prometheus.Counter
	background  *prometheus.CounterVec // op

	jobRuns           *prometheus.CounterVec // task, result
	jobLastSuccess    *prometheus.GaugeVec   // task
	purgedFiles       prometheus.Counter
	purgedBytes       prometheus.Counter
	purgeFailures     prometheus.Counter
	reconcileFindings *prometheus.CounterVec // kind
	reconcileRemoved  prometheus.Counter
}

// New builds the registry with the Go runtime and process collectors and
// storagegw_build_info{version}.
func New(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := factory{m.reg}
	m.requests = f.counterVec("http_requests_total", "HTTP requests served, by route template, method and status.", "route", "method", "status")
	m.duration = f.histogramVec("http_request_duration_seconds", "Time to serve an HTTP request, by route template and method.", "route", "method")
	m.received = f.counterVec("http_request_body_bytes_total", "Request body bytes read, by route template.", "route")
	m.sent = f.counterVec("http_response_body_bytes_total", "Response body bytes written, by route template.", "route")
	m.uploads = f.counterVec("uploads_total", "Committed uploads, by system and object type.", "system", "object_type")
	m.uploadBytes = f.counterVec("upload_bytes_total", "Bytes of committed uploads, by system and object type.", "system", "object_type")
	m.refused = f.counterVec("auth_refused_total", "Requests refused for their token, by error code.", "reason")
	m.shed = f.counterVec("http_shed_total", "Requests refused (429) or cut (408) for load, by reason: in_flight, uploads, slow_body.", "reason")
	m.auditFailed = f.counter("audit_write_failures_total", "Audit events that could not be written.")
	m.auditCommit = f.histogram("audit_batch_commit_seconds", "Time to commit one batch of audit events (a group commit); its count is the number of commits.",
		[]float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1, 5})
	m.auditEvents = f.counter("audit_batched_events_total", "Audit events written in group commits; divided by the commits, the mean batch size.")
	m.auditFull = f.counter("audit_queue_full_total", "Audit events refused at once because the writer's queue was full (the request answered 503 audit_unavailable).")
	m.background = f.counterVec("background_errors_total", "Failures that could not change a request's answer, by operation.", "op")
	m.jobRuns = f.counterVec("job_runs_total", "Retention purge and reconciliation runs, by task (purge, reconcile) and result (ok, problems, failed). The label is task, not job, which Prometheus keeps for the scrape target.", "task", "result")
	m.jobLastSuccess = f.gaugeVec("job_last_success_timestamp_seconds", "When a task (purge, reconcile) last finished without error (Unix time).", "task")
	m.purgedFiles = f.counter("purge_files_total", "Files removed for good by the retention purge.")
	m.purgedBytes = f.counter("purge_bytes_total", "Bytes removed by the retention purge.")
	m.purgeFailures = f.counter("purge_failures_total", "Files the retention purge could not remove (left for the next run).")
	m.reconcileFindings = f.counterVec("reconcile_findings_total", "Inconsistencies reconciliation found, by kind (orphan, missing, foreign).", "kind")
	m.reconcileRemoved = f.counter("reconcile_orphans_removed_total", "Orphaned blobs reconciliation removed.")
	build := f.gaugeVec("build_info", "The running version; always 1.", "version")
	build.WithLabelValues(version).Set(1)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry, for tests and for collectors of other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// CollectDB adds the connection-pool statistics of db as the go_sql_*
// metrics with db_name="storagegw".
func (m *Metrics) CollectDB(db *sql.DB) error {
	if err := m.reg.Register(collectors.NewDBStatsCollector(db, namespace)); err != nil {
		return fmt.Errorf("metrics: database pool collector: %w", err)
	}
	return nil
}

// WriteFile writes every metric to path in the text format, atomically:
// how a command run by cron reports to node_exporter's textfile collector.
func (m *Metrics) WriteFile(path string) error {
	if err := prometheus.WriteToTextfile(path, m.reg); err != nil {
		return fmt.Errorf("metrics: write %s: %w", path, err)
	}
	return nil
}

// factory creates and registers collectors under the namespace.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help,
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}}, labels)
	f.reg.MustRegister(h)
	return h
}
