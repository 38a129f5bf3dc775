package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"storagegw/cmd/internal/benchgw"
)

// benchS3 compares uploads through a gateway on the S3 server with direct
// minio-go PUTs of the same bytes to the same server: one of c.size, then
// c.concurrent of c.eachSize at once.
func benchS3(ctx context.Context, c config, dir string, vars []string, out io.Writer) error {
	client, err := minio.New(c.s3.endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.s3.access, c.s3.secret, ""),
		Region: "us-east-1"})
	if err != nil {
		return err
	}
	bucket := "bench-" + benchgw.RandomSuffix()
	if err := client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		return err
	}
	g, tok, err := start(dir, c.profile != "", append(vars, "SPACES_ENDPOINT="+c.s3.endpoint, "SPACES_BUCKET="+bucket,
		"SPACES_ACCESS_KEY="+c.s3.access, "SPACES_SECRET_KEY="+c.s3.secret, "SPACES_REGION=us-east-1",
		"SPACES_USE_SSL=false", fmt.Sprintf("SPACES_PART_SIZE_MIB=%d", c.partMiB)))
	if err != nil {
		return err
	}
	defer g.Stop()
	direct := func(name string, size int64) error {
		_, err := client.PutObject(ctx, bucket, name, newPayload(size), -1,
			minio.PutObjectOptions{PartSize: c.partMiB << 20, ContentType: "application/octet-stream"})
		return err
	}
	pid := g.Cmd.Process.Pid

	var (
		gwOne, directOne time.Duration
		growth           float64
		gwCPU, cliCPU    [2]time.Duration // the gateway's, this process's: through the gateway
		dirCPU           time.Duration    // this process's: the direct PUT
	)
	gwCPU[0], cliCPU[0], err = cpuSpent(pid, func() (err error) {
		growth, err = sampleRSS(pid, func() error {
			gwOne, err = timed(func() error { _, err := upload(g.Base, tok, "one.bin", c.size); return err })
			return err
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("gateway upload: %w", err)
	}
	_, dirCPU, err = cpuSpent(pid, func() (err error) {
		directOne, err = timed(func() error { return direct("direct/one.bin", c.size) })
		return err
	})
	if err != nil {
		return fmt.Errorf("direct PUT: %w", err)
	}
	fmt.Fprintf(out, "S3 (versitygw over plain HTTP: both sides sign each payload chunk's sha256), %s MiB parts:\n",
		fmt.Sprint(c.partMiB))
	printPair(out, fmt.Sprintf("1 × %s through the gateway", mib(c.size)), c.size, gwOne,
		"direct minio-go PUT", directOne)
	fmt.Fprintf(out, "  gateway RSS growth: %.1f MiB (target ≤ 32)\n", growth)
	printCPU(out, c.size, gwCPU[0], cliCPU[0], dirCPU)

	var gwMany, directMany time.Duration
	gwCPU[1], cliCPU[1], err = cpuSpent(pid, func() (err error) {
		growth, err = sampleRSS(pid, func() error {
			// The profile covers 4 s after a 1 s warm-up: about the
			// uploads' length on this machine.
			return g.Profile(c.profile, 4*time.Second, func() error {
				gwMany, err = timed(func() error {
					return concurrently(c.concurrent, func(i int) error {
						_, err := upload(g.Base, tok, fmt.Sprintf("many-%d.bin", i), c.eachSize)
						return err
					})
				})
				return err
			})
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("concurrent gateway uploads: %w", err)
	}
	_, dirCPU, err = cpuSpent(pid, func() (err error) {
		directMany, err = timed(func() error {
			return concurrently(c.concurrent, func(i int) error { return direct(fmt.Sprintf("direct/many-%d.bin", i), c.eachSize) })
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("concurrent direct PUTs: %w", err)
	}
	total := int64(c.concurrent) * c.eachSize
	printPair(out, fmt.Sprintf("%d × %s through the gateway", c.concurrent, mib(c.eachSize)), total, gwMany,
		fmt.Sprintf("%d direct PUTs", c.concurrent), directMany)
	fmt.Fprintf(out, "  gateway RSS growth: %.1f MiB (target ≤ 160)\n", growth)
	printCPU(out, total, gwCPU[1], cliCPU[1], dirCPU)
	fmt.Fprintln(out)
	return nil
}

// printCPU prints the CPU time, per GiB of payload, of an upload through
// the gateway (the gateway's, and the clients' in this process) and of the
// direct PUT of the same bytes (the clients'): on a machine whose cores
// are all busy the ratio of the uploads is about the ratio of these sums,
// whatever the gateway does with its share.
func printCPU(out io.Writer, n int64, gateway, clients, direct time.Duration) {
	perGiB := func(d time.Duration) float64 { return d.Seconds() / (float64(n) / (1 << 30)) }
	fmt.Fprintf(out, "  CPU s per GiB: gateway %.2f + its clients %.2f; direct PUT clients %.2f (the S3 server's not counted)\n",
		perGiB(gateway), perGiB(clients), perGiB(direct))
}

// concurrently runs f(0) … f(n-1) at once and returns the first error.
func concurrently(n int, f func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i := range n {
		wg.Go(func() {
			if err := f(i); err != nil {
				mu.Lock()
				first = cmpOr(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
