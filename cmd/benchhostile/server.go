package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"storagegw/cmd/internal/benchgw"
)

// gateway is the service binary running as its own process on 127.0.0.1.
type gateway struct{ *benchgw.Gateway }

// startGateway runs the service (benchgw.Start) on PostgreSQL (a fresh
// database on STORAGEGW_TEST_DATABASE_URL's server) and Spaces (a fresh
// bucket on STORAGEGW_TEST_S3_ENDPOINT) when asked.
func startGateway(work string, env []string, usePostgres, useSpaces bool) (*gateway, error) {
	var cleanups []func()
	fail := func(err error) (*gateway, error) {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		return nil, err
	}
	if usePostgres {
		dsn, drop, err := benchgw.FreshDatabase(os.Getenv("STORAGEGW_TEST_DATABASE_URL"))
		if err != nil {
			return fail(err)
		}
		cleanups = append(cleanups, drop)
		env = append(env, "DATABASE_URL="+dsn)
	}
	if useSpaces {
		spacesEnv, drop, err := freshBucket()
		if err != nil {
			return fail(err)
		}
		cleanups = append(cleanups, drop)
		env = append(env, spacesEnv...)
	}
	g, err := benchgw.Start(work, env, cleanups...)
	if err != nil {
		return nil, err
	}
	return &gateway{g}, nil
}

// token mints a member token of org.
func (g *gateway) token(org string) (string, error) { return g.Token(org, "member") }

// memory reads the gateway's resident set (VmRSS) and its peak since the
// last resetPeak (VmHWM) from /proc, in bytes.
func (g *gateway) memory() (rss, peak int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", g.Cmd.Process.Pid))
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
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", g.Cmd.Process.Pid), []byte("5"), 0)
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
	bucket := "bench-hostile-" + benchgw.RandomSuffix()
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
