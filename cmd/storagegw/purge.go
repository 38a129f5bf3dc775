package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"storagegw/adapters/metrics"
	"storagegw/application"
)

// purgeFlags are the options of `storagegw purge`.
type purgeFlags struct {
	cmd         application.PurgeCommand
	metricsFile string
}

func newPurgeCommand(getenv func(string) string) *cobra.Command {
	var f purgeFlags
	cmd := &cobra.Command{
		Use:   "purge [--dry-run] [--batch N] [--older-than DUR] [--versions-older-than DUR] [--org ORG] [--metrics-file PATH]",
		Short: "Remove for good the files soft-deleted longer than the retention",
		Long: "Remove the blobs of files soft-deleted longer than the retention (retention.soft_delete,\n" +
			"90 days, or --older-than), mark their records purged and audit one PURGE event per file;\n" +
			"then remove the versions replaced longer than the version retention (versions.retention,\n" +
			"the soft-delete retention by default, or --versions-older-than), one PURGE event each.\n" +
			"Safe to run from several hosts at once and to interrupt: a next run finishes the work.\n" +
			"Exit status: 0 done, 1 some files could not be purged (run again), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPurge(cmd, getenv, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.cmd.DryRun, "dry-run", false, "count what would be purged; change nothing")
	fl.IntVar(&f.cmd.BatchSize, "batch", application.DefaultPurgeBatch, "records claimed per batch (1 to 1000)")
	fl.DurationVar(&f.cmd.OlderThan, "older-than", 0, "retention to apply instead of retention.soft_delete, e.g. 720h")
	fl.DurationVar(&f.cmd.VersionsOlderThan, "versions-older-than", 0, "retention of replaced versions instead of versions.retention, e.g. 720h")
	fl.StringVar(&f.cmd.OrgID, "org", "", "purge only this org")
	fl.StringVar(&f.metricsFile, "metrics-file", "", "write the run's metrics there (node_exporter textfile format)")
	return cmd
}

func runPurge(cmd *cobra.Command, getenv func(string) string, f purgeFlags) error {
	if f.cmd.BatchSize < 1 || f.cmd.BatchSize > application.MaxPurgeBatch {
		return failed(fmt.Errorf("purge: --batch must be between 1 and %d", application.MaxPurgeBatch))
	}
	return runJob(cmd, getenv, "purge", f.metricsFile, func(ctx context.Context, app *application.Application, p *progress) jobRun {
		f.cmd.Progress = func(r application.PurgeReport) {
			p.show("purge: %d due, %d purged (%d bytes), %d under legal hold, %d versions purged (%d bytes), %d failures",
				r.Due, r.Purged, r.Bytes, r.Held, r.VersionsPurged, r.VersionBytes, r.Failures)
		}
		rep, err := app.Purge.Run(ctx, f.cmd)
		held := ""
		if rep.Held > 0 {
			held = fmt.Sprintf("; %d files kept under legal hold", rep.Held)
		}
		if f.cmd.DryRun {
			return jobRun{summary: fmt.Sprintf("dry run: would purge %d files, %d bytes%s", rep.Purged, rep.Bytes, held) + versionSummary(rep), err: err}
		}
		r := jobRun{summary: fmt.Sprintf("purged %d files, %d bytes, %d failures%s", rep.Purged, rep.Bytes, rep.Failures, held) + versionSummary(rep),
			err: err, record: func(m *metrics.Metrics) { m.PurgeDone(rep, err) }}
		if rep.Failures > 0 {
			r.problems = fmt.Sprintf("%d files could not be purged; they are left for the next run", rep.Failures)
		}
		return r
	})
}

// versionSummary is what a purge did with versions, when it found any due.
func versionSummary(rep application.PurgeReport) string {
	if rep.VersionsDue == 0 {
		return ""
	}
	return fmt.Sprintf("; %d versions, %d bytes, %d held", rep.VersionsPurged, rep.VersionBytes, rep.VersionsHeld)
}
