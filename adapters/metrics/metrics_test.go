package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	_ "modernc.org/sqlite"

	"storagegw/adapters/metrics"
	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// scrape parses what the handler serves with the Prometheus text parser.
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("the exposition does not parse: %v", err)
	}
	sums := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			switch {
			case m.Counter != nil:
				sums[name] += m.Counter.GetValue()
			case m.Gauge != nil:
				sums[name] += m.Gauge.GetValue()
			case m.Histogram != nil:
				sums[name] += float64(m.Histogram.GetSampleCount())
			default:
				sums[name] += 0
			}
		}
	}
	return sums
}

func TestExposition(t *testing.T) {
	t.Parallel()
	m := metrics.New("v1.2.3")
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := m.CollectDB(db); err != nil {
		t.Fatal(err)
	}
	m.Request("/api/storage/upload", "POST", 201, 30*time.Millisecond, 1000, 400)
	m.Request("(unmatched)", "GET", 404, time.Millisecond, 0, 80)
	m.Upload("accounting", "receipt", 1000)
	m.RefusedToken("token_expired")
	m.BackgroundError("remove replaced blob")
	m.PurgeDone(application.PurgeReport{Purged: 3, Bytes: 300, Failures: 1}, nil)
	m.ReconcileDone(application.ReconcileReport{Orphans: 2, OrphansRemoved: 2, Missing: 1}, nil)
	m.AuditBatch(40, 2*time.Millisecond, false)
	m.AuditBatch(7, time.Second, true) // its events are failures, not written
	m.AuditQueueFull()

	audit := m.AuditLog(failingAudit{memrepo.NewAudit()})
	ev, _ := domain.NewAuditEvent(domain.AuditEventData{ID: "e1", Timestamp: time.Now(), Action: domain.ActionView,
		Actor: domain.Actor{UserID: "u", OrgID: "o"}, Success: true})
	_ = audit.Append(context.Background(), ev)

	got := scrape(t, m.Handler())
	want := map[string]float64{
		"storagegw_http_requests_total":                2,
		"storagegw_http_request_duration_seconds":      2,
		"storagegw_http_request_body_bytes_total":      1000,
		"storagegw_http_response_body_bytes_total":     480,
		"storagegw_uploads_total":                      1,
		"storagegw_upload_bytes_total":                 1000,
		"storagegw_auth_refused_total":                 1,
		"storagegw_audit_write_failures_total":         1,
		"storagegw_audit_batch_commit_seconds":         2,
		"storagegw_audit_batched_events_total":         40,
		"storagegw_audit_queue_full_total":             1,
		"storagegw_background_errors_total":            1,
		"storagegw_job_runs_total":                     2,
		"storagegw_purge_files_total":                  3,
		"storagegw_purge_bytes_total":                  300,
		"storagegw_purge_failures_total":               1,
		"storagegw_reconcile_findings_total":           3,
		"storagegw_reconcile_orphans_removed_total":    2,
		"storagegw_build_info":                         1,
		"go_sql_max_open_connections":                  0,
		"go_goroutines":                                -1, // present, any value
		"storagegw_job_last_success_timestamp_seconds": -1,
	}
	for name, v := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("family %s is missing", name)
			continue
		}
		if v >= 0 && g != v {
			t.Errorf("%s: got %v, want %v", name, g, v)
		}
	}
}

// failingAudit fails every Append.
type failingAudit struct{ application.AuditLog }

func (failingAudit) Append(context.Context, *domain.AuditEvent) error {
	return domain.Wrap(domain.ErrUnavailable, "x", "x", errors.New("down"))
}

func TestAuditDuplicateIsNotAFailure(t *testing.T) {
	t.Parallel()
	m := metrics.New("dev")
	audit := m.AuditLog(memrepo.NewAudit())
	ev, _ := domain.NewAuditEvent(domain.AuditEventData{ID: "e1", Timestamp: time.Now(), Action: domain.ActionPurge,
		Actor: domain.Actor{UserID: domain.SystemActor, OrgID: "o"}, Success: true})
	for range 2 {
		_ = audit.Append(context.Background(), ev)
	}
	if got := scrape(t, m.Handler())["storagegw_audit_write_failures_total"]; got != 0 {
		t.Errorf("a duplicate event counted as a failure: %v", got)
	}
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	m := metrics.New("dev")
	m.PurgeDone(application.PurgeReport{Purged: 1}, nil)
	path := filepath.Join(t.TempDir(), "storagegw.prom")
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatal(err)
	}
	if families["storagegw_purge_files_total"].GetMetric()[0].GetCounter().GetValue() != 1 {
		t.Error("the textfile lacks the purge count")
	}
}

// TestRequestLabelsAreBounded: methods a client makes up do not create
// series; they all count under one "OTHER" method.
func TestRequestLabelsAreBounded(t *testing.T) {
	t.Parallel()
	m := metrics.New("dev")
	lines := func() []string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		var out []string
		for _, line := range strings.Split(rec.Body.String(), "\n") {
			if strings.HasPrefix(line, "storagegw_http_") {
				out = append(out, line)
			}
		}
		return out
	}
	series := func() int { return len(lines()) }
	m.Request("(unmatched)", "GET", 404, time.Millisecond, 0, 10)
	m.Request("(unmatched)", "BREW", 405, time.Millisecond, 0, 10)
	before := series()
	for i := range 500 {
		method := fmt.Sprintf("X%d%s", i, strings.Repeat("A", 1000))
		m.Request("(unmatched)", method, 405, time.Millisecond, 0, 10)
	}
	if after := series(); after != before {
		t.Fatalf("500 made-up methods changed the number of series from %d to %d", before, after)
	}
	want := `storagegw_http_requests_total{method="OTHER",route="(unmatched)",status="405"} 501`
	if !slices.Contains(lines(), want) {
		t.Errorf("got %q, want the line %q", lines(), want)
	}
}
