package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// serveChildEnv marks the test binary run as `storagegw serve` by
// TestServeAddressTaken.
const serveChildEnv = "STORAGEGW_TEST_SERVE_CHILD"

// TestServeAddressTaken runs `storagegw serve` as its own process (this
// test binary, re-executed) on an address another listener holds: it
// exits at once with status 1 and a message naming the setting and the
// address, and never logs "listening". The metrics address alike.
func TestServeAddressTaken(t *testing.T) {
	if os.Getenv(serveChildEnv) == "1" {
		os.Exit(runMain([]string{"serve"}, os.Getenv, os.Stderr))
	}
	t.Parallel()
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	taken := held.Addr().String()
	for _, tc := range []struct{ name, setting, addr, metrics string }{
		{"api", "STORAGEGW_ADDR", taken, ""},
		{"metrics", "STORAGEGW_METRICS_ADDR", freeAddr(t), taken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServeAddressTaken$")
			cmd.Env = []string{serveChildEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
				"STORAGEGW_DATA_DIR=" + t.TempDir(), "STORAGEGW_ADDR=" + tc.addr, "STORAGEGW_METRICS_ADDR=" + tc.metrics,
				"STORAGEGW_LOG_LEVEL=info"}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			err := cmd.Run()
			out := stderr.String()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("serve on a taken address: got %v, want exit status 1; output:\n%s", err, out)
			}
			wantMsg := "storagegw: cannot listen on " + tc.setting + "=" + taken + " ("
			if !strings.Contains(out, wantMsg) || !strings.Contains(out, "address already in use") ||
				!strings.Contains(out, "set "+tc.setting+" to a free one") {
				t.Errorf("output:\n%s\nwant it to hold %q, the system's reason and the fix", out, wantMsg)
			}
			if strings.Contains(out, "listening") {
				t.Errorf("output:\n%s\nwant no \"listening\" line: nothing listens", out)
			}
		})
	}
}
