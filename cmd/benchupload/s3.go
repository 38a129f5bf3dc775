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
	g, tok, err := start(dir, append(vars, "SPACES_ENDPOINT="+c.s3.endpoint, "SPACES_BUCKET="+bucket,
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

	var gwOne, directOne time.Duration
	growth, err := sampleRSS(pid, func() error {
		gwOne, err = timed(func() error { _, err := upload(g.Base, tok, "one.bin", c.size); return err })
		return err
	})
	if err != nil {
		return fmt.Errorf("gateway upload: %w", err)
	}
	if directOne, err = timed(func() error { return direct("direct/one.bin", c.size) }); err != nil {
		return fmt.Errorf("direct PUT: %w", err)
	}
	fmt.Fprintf(out, "S3 (versitygw), %s MiB parts:\n", fmt.Sprint(c.partMiB))
	printPair(out, fmt.Sprintf("1 × %s through the gateway", mib(c.size)), c.size, gwOne,
		"direct minio-go PUT", directOne)
	fmt.Fprintf(out, "  gateway RSS growth: %.1f MiB (target ≤ 32)\n", growth)

	var gwMany, directMany time.Duration
	growth, err = sampleRSS(pid, func() error {
		gwMany, err = timed(func() error {
			return concurrently(c.concurrent, func(i int) error {
				_, err := upload(g.Base, tok, fmt.Sprintf("many-%d.bin", i), c.eachSize)
				return err
			})
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("concurrent gateway uploads: %w", err)
	}
	if directMany, err = timed(func() error {
		return concurrently(c.concurrent, func(i int) error { return direct(fmt.Sprintf("direct/many-%d.bin", i), c.eachSize) })
	}); err != nil {
		return fmt.Errorf("concurrent direct PUTs: %w", err)
	}
	total := int64(c.concurrent) * c.eachSize
	printPair(out, fmt.Sprintf("%d × %s through the gateway", c.concurrent, mib(c.eachSize)), total, gwMany,
		fmt.Sprintf("%d direct PUTs", c.concurrent), directMany)
	fmt.Fprintf(out, "  gateway RSS growth: %.1f MiB (target ≤ 160)\n\n", growth)
	return nil
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
