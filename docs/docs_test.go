package docs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"text/template"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"

	"go.uber.org/zap"

	"storagegw"
	"storagegw/application"
	"storagegw/configs"
	"storagegw/domain"
)

var metricName = regexp.MustCompile(`\b(?:storagegw|go_sql)_[a-z0-9_]+_(?:total|seconds|info|connections|bucket|sum|count)\b`)

// TestRunbookMetricNames: every metric the runbook names (tables and alert
// rules) is one the service exports, and every storagegw_ metric is in the
// runbook.
func TestRunbookMetricNames(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("OPERATIONAL_RUNBOOK.md")
	if err != nil {
		t.Fatal(err)
	}
	families := exportedFamilies(t)
	exported := map[string]bool{}
	for n := range families {
		exported[n] = true
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

// exportedFamilies gathers the service's metric families, every labelled
// one touched first so that it is exported, by name.
func exportedFamilies(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	cfg, err := configs.Load(func(k string) string { return map[string]string{"STORAGEGW_DATA_DIR": t.TempDir()}[k] })
	if err != nil {
		t.Fatal(err)
	}
	core, cleanup, err := storagegw.NewCore(context.Background(), cfg, zap.NewNop(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	m := core.Metrics
	m.Request("/healthz", "GET", 200, time.Millisecond, 0, 10)
	m.Upload("workspace", "doc", 10)
	m.RefusedToken("token_expired")
	m.Shed("slow_body")
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
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}
	return byName
}

// alertRules is the shape of a Prometheus rule file, strictly.
type alertRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// targetLabels are the labels Prometheus attaches to every scraped series;
// a metric's own label of the same name is renamed exported_<name> on
// scrape, so a rule matching it would match the target's label instead.
var targetLabels = map[string]bool{"job": true, "instance": true}

// TestRunbookAlertRules checks the runbook's example alert rules as
// Prometheus would load them (strict YAML, PromQL that parses, durations,
// templates) and against what the service exports: every selector names
// an exported metric and matches only labels that metric has, and no
// metric of the service has a label Prometheus would rename on scrape.
func TestRunbookAlertRules(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("OPERATIONAL_RUNBOOK.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```yaml\n(groups:.*?)```").FindSubmatch(doc)
	if block == nil {
		t.Fatal("no ```yaml block of alert rules (groups:) in the runbook")
	}
	dec := yaml.NewDecoder(bytes.NewReader(block[1]))
	dec.KnownFields(true)
	var rules alertRules
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("the alert rules do not load: %v", err)
	}
	families := exportedFamilies(t)
	labelsOf := func(name string) map[string]bool {
		f := families[name]
		if f == nil {
			return nil
		}
		set := map[string]bool{"__name__": true}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				set[l.GetName()] = true
			}
		}
		return set
	}
	for name := range families {
		for l := range labelsOf(name) {
			if targetLabels[l] {
				t.Errorf("%s has a label %q, which Prometheus renames exported_%s on scrape", name, l, l)
			}
		}
	}
	p := parser.NewParser(parser.Options{})
	seen := map[string]bool{}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			if r.Alert == "" || seen[r.Alert] {
				t.Errorf("rule %d of %s: missing or repeated alert name %q", n, g.Name, r.Alert)
			}
			seen[r.Alert] = true
			if r.For != "" {
				if _, err := model.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if s := r.Labels["severity"]; s != "page" && s != "ticket" {
				t.Errorf("%s: severity %q, want page or ticket", r.Alert, s)
			}
			for k, v := range r.Annotations {
				if _, err := template.New(k).Funcs(promTemplateFuncs).Parse("{{$labels := .Labels}}{{$value := .Value}}" + v); err != nil {
					t.Errorf("%s: annotation %s: %v", r.Alert, k, err)
				}
			}
			expr, err := p.ParseExpr(r.Expr)
			if err != nil {
				t.Errorf("%s: expr does not parse: %v", r.Alert, err)
				continue
			}
			parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
				vs, ok := node.(*parser.VectorSelector)
				if !ok {
					return nil
				}
				name := vs.Name
				have := labelsOf(name)
				if base := strings.TrimSuffix(name, "_bucket"); have == nil && base != name {
					if have = labelsOf(base); have != nil {
						have["le"] = true
					}
				}
				if have == nil {
					t.Errorf("%s: %s is not a metric the service exports", r.Alert, name)
					return nil
				}
				for _, m := range vs.LabelMatchers {
					if !have[m.Name] {
						t.Errorf("%s: %s has no label %q (it has %v)", r.Alert, name, m.Name, have)
					}
				}
				return nil
			})
		}
	}
	if n == 0 {
		t.Error("the runbook's alert rules hold no rule")
	}
}

// promTemplateFuncs stands for the functions Prometheus offers alert
// templates, so that templates using them parse.
var promTemplateFuncs = template.FuncMap{
	"humanize": fmt.Sprint, "humanize1024": fmt.Sprint, "humanizeDuration": fmt.Sprint,
	"humanizePercentage": fmt.Sprint, "humanizeTimestamp": fmt.Sprint, "query": fmt.Sprint,
	"first": fmt.Sprint, "label": fmt.Sprint, "value": fmt.Sprint, "title": fmt.Sprint,
	"toUpper": fmt.Sprint, "toLower": fmt.Sprint, "reReplaceAll": fmt.Sprint, "match": fmt.Sprint,
	"externalURL": fmt.Sprint, "pathPrefix": fmt.Sprint, "safeHtml": fmt.Sprint, "stripPort": fmt.Sprint,
}

type brokenAudit struct{ application.AuditLog }

func (brokenAudit) Append(context.Context, *domain.AuditEvent) error { return errors.New("down") }
