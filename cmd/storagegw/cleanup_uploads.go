package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"storagegw/application"
)

func newCleanupUploadsCommand(getenv func(string) string) *cobra.Command {
	return &cobra.Command{
		Use:   "cleanup-uploads",
		Short: "Clean up expired multipart uploads, lapsed reservations and leftover incomplete uploads",
		Long: "Discard multipart upload sessions past uploads.multipart_session_ttl (their parts in the store,\n" +
			"their path reservation, the session; one MULTIPART_ABORT event each, by the system), release the\n" +
			"reservations whose lease lapsed (uploads.lease: their pending rows and blobs), abort the store's\n" +
			"incomplete uploads that no live reservation owns, and remove the temp files of dead uploads (local\n" +
			"disk), and remove Idempotency-Keys past uploads.idempotency_ttl. serve does this itself every uploads.cleanup_interval; run this from cron when that is 0s.\n" +
			"Safe to run from several hosts at once: each item is claimed, processed and counted once (the store's\n" +
			"leftover uploads are swept by one run at a time; a run that finds the sweep taken leaves it to that run).\n" +
			"Exit status: 0 done, 1 some uploads could not be cleaned up (run again), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCleanupUploads(cmd, getenv) },
	}
}

func runCleanupUploads(cmd *cobra.Command, getenv func(string) string) error {
	return runJob(cmd, getenv, "cleanup-uploads", "", func(ctx context.Context, app *application.Application, _ *progress) jobRun {
		rep, err := app.CleanupUploads.Run(ctx)
		keys, kerr := expireIdempotencyKeys(ctx, app)
		r := jobRun{summary: fmt.Sprintf("cleaned up %d expired sessions, %d lapsed reservations, %d leftover store uploads "+
			"and %d temp files; %d skipped (in use), %d failures; removed %d expired idempotency keys",
			rep.Sessions, rep.Reservations, rep.StoreUploads, rep.TempFiles, rep.Skipped, rep.Failures, keys), err: errors.Join(err, kerr)}
		if rep.Failures > 0 {
			r.problems = fmt.Sprintf("%d uploads could not be cleaned up; they are left for the next run", rep.Failures)
		}
		return r
	})
}

// expireIdempotencyKeys is the clean-up's removal of expired
// Idempotency-Keys (none when the application keeps no keys).
func expireIdempotencyKeys(ctx context.Context, app *application.Application) (int64, error) {
	if app.Idempotency == nil {
		return 0, nil
	}
	return app.Idempotency.Expire(ctx)
}
