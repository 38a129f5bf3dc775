package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	httpapi "storagegw/adapters/http"
	"storagegw/application"
	"storagegw/domain"
)

func newAuditCommand(getenv func(string) string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Seal, verify and export the tamper-evident audit trail",
		Long: "The audit trail is a hash chain per org with signed checkpoints (docs/DESIGN.md \"Audit trail\",\n" +
			"the runbook's \"Audit trail integrity\"). serve seals it every second; these commands seal from cron,\n" +
			"verify it, and export it.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newAuditSealCommand(getenv), newAuditVerifyCommand(getenv), newAuditExportCommand(getenv))
	return cmd
}

func newAuditSealCommand(getenv func(string) string) *cobra.Command {
	return &cobra.Command{
		Use:   "seal",
		Short: "Link every committed audit event into its org's chain and sign the checkpoints due",
		Long: "Link every committed audit event without a link into its org's hash chain and sign the\n" +
			"checkpoints now due. One sealer runs at a time: when another holds the seal, nothing is done.\n" +
			"Exit status: 0 done (or another sealer is at work), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runJob(cmd, getenv, "audit seal", "", func(ctx context.Context, app *application.Application, _ *progress) jobRun {
				rep, err := app.SealAudit.Run(ctx, true)
				if rep.Busy {
					return jobRun{summary: "another sealer holds the seal; nothing done", err: err}
				}
				return jobRun{summary: fmt.Sprintf("sealed %d events, signed %d checkpoints", rep.Linked, rep.Checkpoints), err: err}
			})
		},
	}
}

func newAuditVerifyCommand(getenv func(string) string) *cobra.Command {
	var org, checkpointFile string
	cmd := &cobra.Command{
		Use:   "verify [--org ORG] [--checkpoint FILE]",
		Short: "Recompute the audit chains and check every checkpoint signature",
		Long: "Recompute every link of every org's audit chain (or --org's) from the events, check every\n" +
			"checkpoint's signature and head, and report events left unsealed longer than\n" +
			"audit.unsealed_grace. With --checkpoint (a checkpoint fetched earlier from\n" +
			"GET /api/storage/audit-logs/checkpoint and kept outside the database) also prove that the\n" +
			"log still holds the state it pins, which catches the newest events deleted with their checkpoints.\n" +
			"Exit status: 0 intact, 1 tampered with (the first bad event is named), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := application.VerifyAuditCommand{OrgID: org}
			if checkpointFile != "" {
				b, err := os.ReadFile(checkpointFile)
				if err != nil {
					return failed(fmt.Errorf("audit verify: %w", err))
				}
				cp, err := httpapi.ParseCheckpoint(b)
				if err != nil {
					return failed(fmt.Errorf("audit verify: %s: %w", checkpointFile, err))
				}
				c.Pinned = &cp
			}
			return runJob(cmd, getenv, "audit verify", "", func(ctx context.Context, app *application.Application, p *progress) jobRun {
				c.Progress = func(r application.VerifyReport) {
					p.show("audit verify: %d orgs, %d events, %d checkpoints", r.Orgs, r.Events, r.Checkpoints)
				}
				rep, err := app.VerifyAudit.Run(ctx, c)
				r := jobRun{err: err, summary: fmt.Sprintf("verified %d events and %d checkpoints of %d orgs", rep.Events, rep.Checkpoints, rep.Orgs)}
				switch {
				case rep.Problem != "":
					r.summary += ": TAMPERED WITH"
					r.problems = rep.Problem
				case err == nil:
					r.summary += ": intact"
					if c.Pinned != nil {
						r.summary += fmt.Sprintf(", including the pinned checkpoint %s/%d", c.Pinned.OrgID, c.Pinned.Seq)
					}
				}
				return r
			})
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "verify only this org")
	cmd.Flags().StringVar(&checkpointFile, "checkpoint", "", "a checkpoint (JSON, from GET /api/storage/audit-logs/checkpoint) the log must still hold")
	return cmd
}

func newAuditExportCommand(getenv func(string) string) *cobra.Command {
	var org, since string
	cmd := &cobra.Command{
		Use:   "export [--org ORG] [--since TIME]",
		Short: "Write the sealed audit events as JSON Lines to standard output",
		Long: "Write every sealed audit event (of --org, from --since, an RFC 3339 time, on) to standard output as\n" +
			"JSON Lines, org by org in chain order: {org_id, seq, prev_hash, hash, event}, for a SIEM or an\n" +
			"off-site archive; the count goes to standard error. Events not sealed yet are not exported.\n" +
			"Exit status: 0 done, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := application.ExportAuditCommand{OrgID: org}
			if since != "" {
				t, err := time.Parse(time.RFC3339Nano, since)
				if err != nil {
					return failed(fmt.Errorf("audit export: --since must be an RFC 3339 time such as 2026-01-26T15:30:45Z"))
				}
				c.Since = t
			}
			return runJob(cmd, getenv, "audit export", "", func(ctx context.Context, app *application.Application, _ *progress) jobRun {
				w := bufio.NewWriter(cmd.OutOrStdout())
				c.Write = func(l domain.ChainLink, e *domain.AuditEvent) error {
					line, err := httpapi.ExportLine(l, e)
					if err == nil {
						_, err = w.Write(line)
					}
					return err
				}
				n, err := app.ExportAudit.Run(ctx, c)
				if ferr := w.Flush(); err == nil {
					err = ferr
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "exported %d events\n", n)
				return jobRun{err: err}
			})
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "export only this org")
	cmd.Flags().StringVar(&since, "since", "", "export only events at or after this RFC 3339 time")
	return cmd
}
