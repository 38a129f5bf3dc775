package main

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

var metricName = regexp.MustCompile(`\b(?:storagegw|go_sql)_[a-z0-9_]+_(?:total|seconds|info|connections|bucket|sum|count)\b`)

// TestRunbookMetricNames: every metric the runbook names (tables and alert
// rules) is one the service exports, and every storagegw_ metric is in the
// runbook.
func TestRunbookMetricNames(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("docs/OPERATIONAL_RUNBOOK.md")
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, nil)
	m := a.svc.Metrics
	// Touch every labelled family so that it is exported.
	m.Request("/healthz", "GET", 200, time.Millisecond, 0, 10)
	m.Upload("workspace", "doc", 10)
	m.RefusedToken("token_expired")
	m.BackgroundError("remove replaced blob")
	m.PurgeDone(application.PurgeReport{Purged: 1}, nil)
	m.ReconcileDone(application.ReconcileReport{Orphans: 1}, nil)
	ev, _ := domain.NewAuditEvent(domain.AuditEventData{ID: "x", Timestamp: time.Now(), Action: domain.ActionView,
		Actor: domain.Actor{UserID: "u", OrgID: "o"}, Success: true})
	_ = m.AuditLog(brokenAudit{}).Append(context.Background(), ev)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, f := range families {
		exported[f.GetName()] = true
	}
	named := map[string]bool{}
	for _, n := range metricName.FindAllString(string(doc), -1) {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base := strings.TrimSuffix(n, suffix); base != n && exported[base] {
				n = base
			}
		}
		named[n] = true
		if !exported[n] {
			t.Errorf("the runbook names %s, which the service does not export", n)
		}
	}
	for n := range exported {
		if strings.HasPrefix(n, "storagegw_") && !named[n] {
			t.Errorf("the service exports %s, which the runbook does not describe", n)
		}
	}
}

type brokenAudit struct{ application.AuditLog }

func (brokenAudit) Append(context.Context, *domain.AuditEvent) error { return errors.New("down") }
