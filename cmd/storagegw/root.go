package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"storagegw"
	"storagegw/configs"
)

// newRootCommand builds the command tree. Running it without a subcommand
// serves, so `go run ./cmd/storagegw` starts the service.
func newRootCommand(getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:           "storagegw",
		Short:         "The gateway between applications and their files",
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, getenv)
		},
	}
	root.AddCommand(newServeCommand(getenv), newMigrateCommand(getenv),
		newTokenCommand(getenv), newVersionCommand(),
		newPurgeCommand(getenv), newReconcileCommand(getenv), newDoctorCommand(getenv),
		newCleanupUploadsCommand(getenv), newAuditCommand(getenv), newUsageCommand(getenv))
	return root
}

// loadConfig loads and validates the configuration from the environment.
func loadConfig(getenv func(string) string) (*configs.Config, error) {
	return configs.Load(getenv)
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "storagegw", version)
		},
	}
}

// openJobs loads the configuration and assembles the use cases for an
// operator command (purge, reconcile, cleanup-uploads), without the HTTP
// side; the cleanup closes the database and store and flushes the logger.
func openJobs(cmd *cobra.Command, getenv func(string) string) (*storagegw.Core, func(), error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, nil, err
	}
	logger, flush, err := storagegw.NewLogger(cfg)
	if err != nil {
		return nil, nil, err
	}
	jobs, cleanup, err := storagegw.NewCore(cmd.Context(), cfg, logger, storagegw.Version(version))
	if err != nil {
		flush()
		return nil, nil, err
	}
	return jobs, func() { cleanup(); flush() }, nil
}
