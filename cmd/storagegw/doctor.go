package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"storagegw/configs"
)

// doctorTimeout bounds each check.
const doctorTimeout = 15 * time.Second

// doctorCheck is one line of `storagegw doctor`: it returns what it found
// or why it failed.
type doctorCheck struct {
	name string
	run  func(ctx context.Context, cfg *configs.Config) (string, error)
}

func newDoctorCommand(getenv func(string) string) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the configuration, database, migrations, blob store and token settings",
		Long: "Check what the service needs, one line per check (ok or FAIL, then what was found):\n" +
			"the configuration, that the database answers and has every migration, that the blob store\n" +
			"can write, read back and delete a probe object (under _doctor/), and that tokens can be\n" +
			"verified (the key source loads; an HS256 secret signs and verifies). It changes nothing\n" +
			"else. Exit status: 0 all ok, 1 a check failed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd, getenv) },
	}
}

func runDoctor(cmd *cobra.Command, getenv func(string) string) error {
	out := cmd.OutOrStdout()
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(out, "FAIL config: %v\n", err)
		return &exitError{code: 1, err: fmt.Errorf("doctor: the configuration is invalid; nothing else was checked")}
	}
	fmt.Fprintf(out, "ok   config: %s\n", describeConfig(cfg))
	failures := 0
	for _, c := range doctorChecks() {
		ctx, cancel := context.WithTimeout(cmd.Context(), doctorTimeout)
		detail, err := c.run(ctx, cfg)
		cancel()
		if err != nil {
			failures++
			fmt.Fprintf(out, "FAIL %s: %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(out, "ok   %s: %s\n", c.name, detail)
	}
	if failures > 0 {
		return &exitError{code: 1, err: fmt.Errorf("doctor: %d of %d checks failed", failures, len(doctorChecks())+1)}
	}
	return nil
}

// describeConfig says what the configuration selects, without secrets.
func describeConfig(cfg *configs.Config) string {
	db := "SQLite " + cfg.SQLitePath()
	if !cfg.UsesSQLite() {
		db = "PostgreSQL " + cfg.DatabaseURL.Redacted()
	}
	store := "local disk " + cfg.BlobRoot()
	if !cfg.UsesLocalDisk() {
		store = "Spaces bucket " + cfg.Spaces.Bucket + " at " + cfg.Spaces.Endpoint
	}
	return fmt.Sprintf("env %s, database %s, blobs on %s, retention %s, listening on %s", cfg.Env, db, store,
		cfg.Retention.SoftDelete, cfg.Addr)
}
