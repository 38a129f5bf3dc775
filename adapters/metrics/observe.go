package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Request counts one finished HTTP request (httpapi.Observer). The method
// is folded into a closed set (any other is "OTHER"), so a client cannot
// create series: /metrics needs no token, and every series lives until the
// process ends.
func (m *Metrics) Request(route, method string, status int, took time.Duration, bytesIn, bytesOut int64) {
	method = methodLabel(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
	m.received.WithLabelValues(route).Add(float64(bytesIn))
	m.sent.WithLabelValues(route).Add(float64(bytesOut))
}

// methodLabel is method if it is one the API may serve, else "OTHER".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// Upload counts one committed upload (httpapi.Observer), by kind. No
// series names an org: /metrics needs no token, and per-org usage is an
// SQL query (the runbook's section 4).
func (m *Metrics) Upload(system, objectType string, size int64) {
	m.uploads.WithLabelValues(system, objectType).Inc()
	m.uploadBytes.WithLabelValues(system, objectType).Add(float64(size))
}

// RefusedToken counts one request refused for its token (httpapi.Observer).
func (m *Metrics) RefusedToken(code string) { m.refused.WithLabelValues(code).Inc() }

// Shed counts one request refused or cut for load (httpapi.Observer), by
// one of a fixed set of reasons.
func (m *Metrics) Shed(reason string) { m.shed.WithLabelValues(reason).Inc() }

// BackgroundError counts a failure reported through
// application.Options.OnBackgroundError; op is one of a fixed set of
// operation names.
func (m *Metrics) BackgroundError(op string) { m.background.WithLabelValues(op).Inc() }

// AuditLog wraps an application.AuditLog and counts the events it fails
// to write, whichever use case wrote them. A log that stores links with
// their events (application.LinkIssuingLog) stays one.
func (m *Metrics) AuditLog(inner application.AuditLog) application.AuditLog {
	c := &countingAuditLog{AuditLog: inner, failed: m.auditFailed.Inc}
	if il, ok := inner.(application.LinkIssuingLog); ok {
		return &countingIssuingLog{countingAuditLog: c, issuing: il}
	}
	return c
}

// AuditBatch counts one group commit of the audit trail (the
// postgres.BatchOptions hook): its events and how long it took. A failed
// commit's events are counted by the audit log wrapper as failures.
func (m *Metrics) AuditBatch(events int, took time.Duration, failed bool) {
	m.auditCommit.Observe(took.Seconds())
	if !failed {
		m.auditEvents.Add(float64(events))
	}
}

// AuditQueueFull counts one audit event refused for a full writer queue.
func (m *Metrics) AuditQueueFull() { m.auditFull.Inc() }

type countingAuditLog struct {
	application.AuditLog
	failed func()
}

type countingIssuingLog struct {
	*countingAuditLog
	issuing application.LinkIssuingLog
}

// AppendIssuing counts a failure as Append does.
func (a *countingIssuingLog) AppendIssuing(ctx context.Context, l *domain.Link, e *domain.AuditEvent) error {
	return a.count(a.issuing.AppendIssuing(ctx, l, e))
}

// Append counts a failure (count).
func (a *countingAuditLog) Append(ctx context.Context, e *domain.AuditEvent) error {
	return a.count(a.AuditLog.Append(ctx, e))
}

// count counts err, a write's, as a failure and returns it; an event that
// already exists (a retried purge) is not one.
func (a *countingAuditLog) count(err error) error {
	if err != nil && domain.KindOf(err) != domain.ErrExists {
		a.failed()
	}
	return err
}
