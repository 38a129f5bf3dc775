package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"storagegw/application"
)

func newUsageCommand(getenv func(string) string) *cobra.Command {
	usage := &cobra.Command{
		Use:   "usage",
		Short: "Check the storage usage the database keeps per org",
		Args:  cobra.NoArgs,
	}
	var (
		org string
		fix bool
	)
	recount := &cobra.Command{
		Use:   "recount [--org ORG] [--fix]",
		Short: "Recount the records and compare them with the kept usage",
		Long: "Count the bytes and files of every record that holds a blob, per org, system and object type,\n" +
			"and compare with the usage the database keeps (what quotas and GET /api/storage/usage use);\n" +
			"one line per difference. With --fix, correct the kept usage to the recount: both are read in\n" +
			"one snapshot and the difference is added, so uploads, deletes and purges go on meanwhile and\n" +
			"stay counted. Without it, changes that commit while it counts can show as a difference: run it\n" +
			"again. Exit status: 0 equal (or fixed), 1 differences remain, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			return runJob(cmd, getenv, "usage recount", "", func(ctx context.Context, app *application.Application, _ *progress) jobRun {
				drift, err := app.RecountUsage.Handle(ctx, org, fix)
				for _, d := range drift {
					fmt.Fprintf(out, "drift  %s/%s/%s  kept %d bytes, %d files; counted %d bytes, %d files\n",
						d.OrgID, d.System, d.ObjectType, d.Kept.Bytes, d.Kept.Files, d.Counted.Bytes, d.Counted.Files)
				}
				r := jobRun{err: err, summary: fmt.Sprintf("usage recount: %d differences", len(drift))}
				switch {
				case err == nil && fix && len(drift) > 0:
					r.summary += " (fixed)"
				case err == nil && len(drift) > 0:
					r.problems = "the kept usage differs from the records (see above); run again, or with --fix"
				}
				return r
			})
		},
	}
	recount.Flags().StringVar(&org, "org", "", "only this org (default: every org)")
	recount.Flags().BoolVar(&fix, "fix", false, "set the kept usage to the recount")
	usage.AddCommand(recount)
	return usage
}
