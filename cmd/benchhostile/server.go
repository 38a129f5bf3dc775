package main

import (
	"bufio"
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
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// gateway is the service binary running as its own process on 127.0.0.1.
type gateway struct {
	bin, base string
	env       []string
	cmd       *exec.Cmd
	log       string
	cleanups  []func()
}

// startGateway builds ./cmd/storagegw into work and runs `storagegw serve`
// on a free 127.0.0.1 port with a data dir under work, on PostgreSQL
// (a fresh database on STORAGEGW_TEST_DATABASE_URL's server) and Spaces
// (a fresh bucket on STORAGEGW_TEST_S3_ENDPOINT) when asked.
func startGateway(work string, extraEnv []string, usePostgres, useSpaces bool) (*gateway, error) {
	g := &gateway{bin: filepath.Join(work, "storagegw"), log: filepath.Join(work, "serve.log")}
	build := exec.Command("go", "build", "-o", g.bin, "./cmd/storagegw")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	g.base = "http://" + addr
	g.env = append(os.Environ(), "STORAGEGW_DATA_DIR="+filepath.Join(work, "data"), "STORAGEGW_ADDR="+addr,
		"STORAGEGW_PUBLIC_URL="+g.base, "STORAGEGW_LOG_LEVEL=error", "DATABASE_URL=", "SPACES_ENDPOINT=", "SPACES_BUCKET=")
	g.env = append(g.env, extraEnv...)
	if usePostgres {
		dsn, drop, err := freshDatabase(os.Getenv("STORAGEGW_TEST_DATABASE_URL"))
		if err != nil {
			return nil, err
		}
		g.cleanups = append(g.cleanups, drop)
		g.env = append(g.env, "DATABASE_URL="+dsn)
	}
	if useSpaces {
		env, drop, err := freshBucket()
		if err != nil {
			g.stop()
			return nil, err
		}
		g.cleanups = append(g.cleanups, drop)
		g.env = append(g.env, env...)
	}
	logf, err := os.Create(g.log)
	if err != nil {
		g.stop()
		return nil, err
	}
	g.cmd = exec.Command(g.bin, "serve")
	g.cmd.Env, g.cmd.Stdout, g.cmd.Stderr = g.env, logf, logf
	if err := g.cmd.Start(); err != nil {
		g.stop()
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(g.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return g, nil
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(g.log)
			g.stop()
			return nil, fmt.Errorf("the gateway was not ready within 30 s:\n%s", b)
		}
	}
}

// token mints a member token of org with `storagegw token`, on the same
// data dir (and so the same development secret).
func (g *gateway) token(org string) (string, error) {
	cmd := exec.Command(g.bin, "token", "--sub", "bench-"+org, "--org", org, "--role", "member")
	cmd.Env = g.env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// stop ends the gateway (SIGTERM, then SIGKILL after 10 s) and removes
// what startGateway created.
func (g *gateway) stop() {
	if g.cmd != nil && g.cmd.Process != nil {
		g.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			g.cmd.Process.Kill()
			<-done
		}
	}
	for i := len(g.cleanups) - 1; i >= 0; i-- {
		g.cleanups[i]()
	}
}

// memory reads the gateway's resident set (VmRSS) and its peak since the
// last resetPeak (VmHWM) from /proc, in bytes.
func (g *gateway) memory() (rss, peak int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", g.cmd.Process.Pid))
	if err != nil {
		return -1, -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, _ := strings.Cut(s.Text(), ":")
		kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kib << 10
		case "VmHWM":
			peak = kib << 10
		}
	}
	return rss, peak
}

// resetPeak sets VmHWM back to the current RSS (proc(5), clear_refs "5"),
// so that each attack's peak is its own.
func (g *gateway) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", g.cmd.Process.Pid), []byte("5"), 0)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// freshDatabase creates database storagegw_bench_<random> on server and
// returns its URL and a func that drops it.
func freshDatabase(server string) (string, func(), error) {
	if server == "" {
		return "", nil, fmt.Errorf("-postgres needs STORAGEGW_TEST_DATABASE_URL (run through scripts/with-postgres.sh)")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, err
	}
	name := "storagegw_bench_" + randomSuffix()
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

// freshBucket creates a bucket on the S3 server of STORAGEGW_TEST_S3_*
// and returns the SPACES_* settings of it and a func that empties and
// removes it.
func freshBucket() ([]string, func(), error) {
	endpoint, access, secret := os.Getenv("STORAGEGW_TEST_S3_ENDPOINT"), os.Getenv("STORAGEGW_TEST_S3_ACCESS_KEY"), os.Getenv("STORAGEGW_TEST_S3_SECRET_KEY")
	if endpoint == "" {
		return nil, nil, fmt.Errorf("-spaces needs STORAGEGW_TEST_S3_ENDPOINT (run through scripts/with-s3.sh)")
	}
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""), Region: "us-east-1"})
	if err != nil {
		return nil, nil, err
	}
	bucket := "bench-hostile-" + randomSuffix()
	ctx := context.Background()
	if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		return nil, nil, fmt.Errorf("make bucket: %w", err)
	}
	env := []string{"SPACES_ENDPOINT=" + endpoint, "SPACES_BUCKET=" + bucket, "SPACES_ACCESS_KEY=" + access,
		"SPACES_SECRET_KEY=" + secret, "SPACES_REGION=us-east-1", "SPACES_USE_SSL=false", "SPACES_PATH_STYLE=true"}
	return env, func() {
		for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			c.RemoveObject(ctx, bucket, o.Key, minio.RemoveObjectOptions{})
		}
		c.RemoveBucket(ctx, bucket)
	}, nil
}
