package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"storagegw/cmd/internal/benchgw"
)

type config struct {
	size, eachSize int64
	concurrent     int
	partMiB        uint64
	clients        int
	receipts       time.Duration
	s3             s3Server
	postgres       string // server URL; empty: PostgreSQL not measured
	profile        string // file of the gateway's CPU profile of the concurrent S3 uploads; empty: none
}

type s3Server struct{ endpoint, access, secret string }

// run measures everything c asks for and prints it to out.
func run(ctx context.Context, c config, out io.Writer) error {
	work, err := os.MkdirTemp("", "benchupload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	limits := filepath.Join(work, "limits.yaml")
	if err := os.WriteFile(limits, fmt.Appendf(nil, "limits:\n  communications/email-attachment: {max_bytes: %d}\n",
		max(c.size, c.eachSize)+1<<20), 0o600); err != nil {
		return err
	}
	vars := []string{"STORAGEGW_CONFIG=" + limits, "STORAGEGW_MAX_UPLOADS_PER_ORG=64", "STORAGEGW_MAX_UPLOADS=64"}
	fmt.Fprintf(out, "one run; MiB/s of payload; RSS growth = peak VmRSS during the step (sampled every 10 ms) − VmRSS before it\n\n")
	if c.s3.endpoint == "" {
		fmt.Fprintln(out, "S3: not measured (no STORAGEGW_TEST_S3_ENDPOINT; run through scripts/with-s3.sh)")
	} else if err := benchS3(ctx, c, filepath.Join(work, "s3"), vars, out); err != nil {
		return fmt.Errorf("S3: %w", err)
	}
	if err := benchLocal(c, filepath.Join(work, "local"), vars, out); err != nil {
		return fmt.Errorf("local disk: %w", err)
	}
	return benchReceipts(c, filepath.Join(work, "receipts"), out)
}

// start runs a gateway in dir (created) with vars, built for profiling
// when profiled is true (benchgw.StartProfiled).
func start(dir string, profiled bool, vars []string, cleanups ...func()) (*benchgw.Gateway, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	run := benchgw.Start
	if profiled {
		run = benchgw.StartProfiled
	}
	g, err := run(dir, vars, cleanups...)
	if err != nil {
		return nil, "", err
	}
	tok, err := g.Token("org-bench", "member")
	if err != nil {
		g.Stop()
		return nil, "", err
	}
	return g, tok, nil
}
