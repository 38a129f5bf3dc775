// Package benchgw runs the real service binary for the benchmarks: built
// from this tree and started as its own process on a free 127.0.0.1 port,
// with a data dir of its own and, when asked, a fresh PostgreSQL database.
package benchgw

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Gateway is `storagegw serve` running on 127.0.0.1.
type Gateway struct {
	Base string   // http://127.0.0.1:port
	Env  []string // the process's environment
	Cmd  *exec.Cmd

	bin, log string
	// pprofAddr is the pprof listener of a StartProfiled gateway.
	pprofAddr string
	cleanups  []func()
}

// Start builds ./cmd/storagegw into work and runs `storagegw serve` with a
// data dir under work, SQLite unless env sets DATABASE_URL, and env on top
// of the process's own; it waits until /readyz answers 200. cleanups run
// when the gateway stops (or when it fails to start).
func Start(work string, env []string, cleanups ...func()) (*Gateway, error) {
	return StartTagged(work, "", env, cleanups...)
}

// StartTagged is Start with the binary built with the build tags tags
// (comma-separated; "" for none), e.g. benchpprof.
func StartTagged(work, tags string, env []string, cleanups ...func()) (*Gateway, error) {
	g := &Gateway{bin: filepath.Join(work, "storagegw"), log: filepath.Join(work, "serve.log"), cleanups: cleanups}
	build := exec.Command("go", "build", "-tags", tags, "-o", g.bin, "./cmd/storagegw")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		g.Stop()
		return nil, fmt.Errorf("build: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		g.Stop()
		return nil, err
	}
	g.Base = "http://" + addr
	g.Env = append(os.Environ(), "STORAGEGW_DATA_DIR="+filepath.Join(work, "data"), "STORAGEGW_ADDR="+addr,
		"STORAGEGW_PUBLIC_URL="+g.Base, "STORAGEGW_LOG_LEVEL=error", "DATABASE_URL=", "SPACES_ENDPOINT=", "SPACES_BUCKET=")
	g.Env = append(g.Env, env...)
	logf, err := os.Create(g.log)
	if err != nil {
		g.Stop()
		return nil, err
	}
	g.Cmd = exec.Command(g.bin, "serve")
	g.Cmd.Env, g.Cmd.Stdout, g.Cmd.Stderr = g.Env, logf, logf
	if err := g.Cmd.Start(); err != nil {
		g.Stop()
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(g.Base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return g, nil
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(g.log)
			g.Stop()
			return nil, fmt.Errorf("the gateway was not ready within 30 s:\n%s", b)
		}
	}
}

// Token mints a token of org with role with `storagegw token`, on the
// same data dir (and so the same development secret).
func (g *Gateway) Token(org, role string) (string, error) {
	cmd := exec.Command(g.bin, "token", "--sub", "bench-"+org, "--org", org, "--role", role)
	cmd.Env = g.Env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Stop ends the gateway (SIGINT, then SIGKILL after 10 s) and runs the
// cleanups, last first.
func (g *Gateway) Stop() {
	if g.Cmd != nil && g.Cmd.Process != nil {
		g.Cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { g.Cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			g.Cmd.Process.Kill()
			<-done
		}
	}
	for i := len(g.cleanups) - 1; i >= 0; i-- {
		g.cleanups[i]()
	}
	g.cleanups = nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// RandomSuffix is 12 random hex digits, for names of throwaway things.
func RandomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// FreshDatabase creates database storagegw_bench_<random> on server and
// returns its URL and a func that drops it.
func FreshDatabase(server string) (string, func(), error) {
	if server == "" {
		return "", nil, fmt.Errorf("PostgreSQL needs STORAGEGW_TEST_DATABASE_URL (run through scripts/with-postgres.sh)")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, err
	}
	name := "storagegw_bench_" + RandomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}, nil
}
