package main

import (
	"fmt"

	"github.com/spf13/cobra"

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
		Use:   "purge [--dry-run] [--batch N] [--older-than DUR] [--org ORG] [--metrics-file PATH]",
		Short: "Remove for good the files soft-deleted longer than the retention",
		Long: "Remove the blobs of files soft-deleted longer than the retention (retention.soft_delete,\n" +
			"90 days, or --older-than), mark their records purged and audit one PURGE event per file.\n" +
			"Safe to run from several hosts at once and to interrupt: a next run finishes the work.\n" +
			"Exit status: 0 done, 1 some files could not be purged (run again), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPurge(cmd, getenv, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.cmd.DryRun, "dry-run", false, "count what would be purged; change nothing")
	fl.IntVar(&f.cmd.BatchSize, "batch", application.DefaultPurgeBatch, "records claimed per batch (1 to 1000)")
	fl.DurationVar(&f.cmd.OlderThan, "older-than", 0, "retention to apply instead of retention.soft_delete, e.g. 720h")
	fl.StringVar(&f.cmd.OrgID, "org", "", "purge only this org")
	fl.StringVar(&f.metricsFile, "metrics-file", "", "write the run's metrics there (node_exporter textfile format)")
	return cmd
}

func runPurge(cmd *cobra.Command, getenv func(string) string, f purgeFlags) error {
	if f.cmd.BatchSize < 1 || f.cmd.BatchSize > application.MaxPurgeBatch {
		return failed(fmt.Errorf("purge: --batch must be between 1 and %d", application.MaxPurgeBatch))
	}
	jobs, cleanup, err := openJobs(cmd, getenv)
	if err != nil {
		return failed(err)
	}
	defer cleanup()

	p := newProgress(cmd.ErrOrStderr())
	f.cmd.Progress = func(r application.PurgeReport) {
		p.show("purge: %d due, %d purged (%d bytes), %d failures", r.Due, r.Purged, r.Bytes, r.Failures)
	}
	rep, runErr := jobs.App.Purge.Run(cmd.Context(), f.cmd)
	p.done()
	out := cmd.OutOrStdout()
	if f.cmd.DryRun {
		fmt.Fprintf(out, "dry run: would purge %d files, %d bytes\n", rep.Purged, rep.Bytes)
	} else {
		fmt.Fprintf(out, "purged %d files, %d bytes, %d failures\n", rep.Purged, rep.Bytes, rep.Failures)
	}
	if f.metricsFile != "" && !f.cmd.DryRun {
		jobs.Metrics.PurgeDone(rep, runErr)
		if err := jobs.Metrics.WriteFile(f.metricsFile); err != nil {
			return failed(err)
		}
	}
	switch {
	case runErr != nil:
		return failed(fmt.Errorf("purge: %w", runErr))
	case rep.Failures > 0:
		return &exitError{code: 1, err: fmt.Errorf("purge: %d files could not be purged; they are left for the next run", rep.Failures)}
	}
	return nil
}
