package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"storagegw"
)

func newMigrateCommand(getenv func(string) string) *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate [--status]",
		Short: "Apply pending database migrations (or list them with --status)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(getenv)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, cleanup, err := storagegw.OpenDatabase(ctx, cfg)
			if err != nil {
				return err
			}
			defer cleanup()
			if !status {
				if err := db.Migrate(ctx); err != nil {
					return err
				}
			}
			states, err := db.MigrationStatus(ctx)
			if err != nil {
				return err
			}
			for _, s := range states {
				mark := "pending"
				if s.Applied {
					mark = "applied " + s.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-40s %s\n", s.Name, mark)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "only list migrations and whether they are applied")
	return cmd
}
