package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"storagegw"
	"storagegw/adapters/auth"
)

func newTokenCommand(getenv func(string) string) *cobra.Command {
	var p auth.MintParams
	cmd := &cobra.Command{
		Use:   "token --sub USER --org ORG --role ROLE [--ttl 1h]",
		Short: "Print a JWT signed with the configured HS256 secret or the development secret",
		Long: "Print a JWT for development and tests, signed with JWT_HS256_SECRET or, when it is\n" +
			"unset, the development secret of the data dir (created on first use).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(getenv)
			if err != nil {
				return err
			}
			secret, err := auth.SigningSecret(storagegw.AuthSettings(cfg))
			if err != nil {
				return err
			}
			tok, err := auth.Mint(secret, storagegw.AuthSettings(cfg).MintParams(p), time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Sub, "sub", "", "user id (sub claim)")
	f.StringVar(&p.Org, "org", "", "organisation id (org claim)")
	f.StringVar(&p.Role, "role", "", "viewer, member, admin or auditor")
	f.DurationVar(&p.TTL, "ttl", auth.DefaultTTL, "lifetime of the token")
	for _, name := range []string{"sub", "org", "role"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
