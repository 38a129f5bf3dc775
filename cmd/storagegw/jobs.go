package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"storagegw/adapters/metrics"
	"storagegw/application"
)

// jobRun is what one run of an operator job (purge, reconcile,
// cleanup-uploads, audit) found.
type jobRun struct {
	summary  string                   // the run's last line on standard output; "" prints none
	err      error                    // the run failed: exit status 2
	problems string                   // what the run left for the next one: exit status 1
	record   func(m *metrics.Metrics) // counts the run for --metrics-file; nil counts nothing
}

// runJob is the sequence the operator jobs share: open the jobs
// environment, run job, print its summary, write the metrics file when
// one is asked for, and map the outcome to the exit status: 0 done, 1
// problems left (run again), 2 could not run.
func runJob(cmd *cobra.Command, getenv func(string) string, name, metricsFile string,
	job func(ctx context.Context, app *application.Application, p *progress) jobRun) error {
	core, cleanup, err := openJobs(cmd, getenv)
	if err != nil {
		return failed(err)
	}
	defer cleanup()

	p := newProgress(cmd.ErrOrStderr())
	r := job(cmd.Context(), core.App, p)
	p.done()
	if r.summary != "" {
		fmt.Fprintln(cmd.OutOrStdout(), r.summary)
	}
	if metricsFile != "" && r.record != nil {
		r.record(core.Metrics)
		if err := core.Metrics.WriteFile(metricsFile); err != nil {
			return failed(err)
		}
	}
	switch {
	case r.err != nil:
		return failed(fmt.Errorf("%s: %w", name, r.err))
	case r.problems != "":
		return &exitError{code: 1, err: fmt.Errorf("%s: %s", name, r.problems)}
	}
	return nil
}
