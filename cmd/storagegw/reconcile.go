package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"storagegw/adapters/metrics"
	"storagegw/application"
)

// reconcileFlags are the options of `storagegw reconcile`.
type reconcileFlags struct {
	cmd         application.ReconcileCommand
	metricsFile string
}

func newReconcileCommand(getenv func(string) string) *cobra.Command {
	var f reconcileFlags
	cmd := &cobra.Command{
		Use:   "reconcile [--org ORG] [--fix] [--grace 24h] [--metrics-file PATH]",
		Short: "Compare file records with the blobs of the store",
		Long: "Report blobs that no record points at (orphans), records whose blob is gone (missing) and\n" +
			"keys outside storagegw's layout (foreign), one line each on standard output. With --fix,\n" +
			"remove orphans older than the grace period; missing blobs are only reported.\n" +
			"Exit status: 0 consistent (or made consistent by --fix), 1 problems remain, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReconcile(cmd, getenv, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.cmd.OrgID, "org", "", "only this org's records and blobs (default: every org and the whole store)")
	fl.BoolVar(&f.cmd.Fix, "fix", false, "remove orphaned blobs older than --grace")
	fl.DurationVar(&f.cmd.Grace, "grace", application.DefaultReconcileGrace, "how old an orphan must be before --fix removes it")
	fl.StringVar(&f.metricsFile, "metrics-file", "", "write the run's metrics there (node_exporter textfile format)")
	return cmd
}

func runReconcile(cmd *cobra.Command, getenv func(string) string, f reconcileFlags) error {
	out := cmd.OutOrStdout()
	return runJob(cmd, getenv, "reconcile", f.metricsFile, func(ctx context.Context, app *application.Application, p *progress) jobRun {
		f.cmd.OnFinding = func(x application.Finding) {
			p.done()
			printFinding(out, x)
		}
		f.cmd.Progress = func(r application.ReconcileReport) {
			p.show("reconcile: %d blobs, %d records scanned; %d orphans, %d missing", r.Blobs, r.Records, r.Orphans, r.Missing)
		}
		rep, err := app.Reconcile.Run(ctx, f.cmd)
		r := jobRun{summary: fmt.Sprintf("scanned %d blobs and %d records: %d orphans (%d removed), %d missing, %d foreign, %d failures",
			rep.Blobs, rep.Records, rep.Orphans, rep.OrphansRemoved, rep.Missing, rep.Foreign, rep.Failures),
			err: err, record: func(m *metrics.Metrics) { m.ReconcileDone(rep, err) }}
		if !rep.Clean() {
			r.problems = "the store and the database disagree (see above)"
		}
		return r
	})
}

// printFinding writes one finding as one line.
func printFinding(w io.Writer, x application.Finding) {
	switch x.Kind {
	case application.FindingMissing:
		fmt.Fprintf(w, "missing  %s  blob %s (%d bytes) is gone: %s\n", x.Path, x.Key, x.Size, x.Outcome)
	default:
		fmt.Fprintf(w, "%-7s  %s  %d bytes, modified %s: %s\n", x.Kind, x.Key, x.Size,
			x.ModTime.UTC().Format(time.RFC3339), x.Outcome)
	}
}
