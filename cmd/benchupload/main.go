// Command benchupload measures the byte path in one run, each figure next
// to its reference: a streamed upload through the gateway to an S3 server
// against a direct minio-go PUT of the same bytes (one large, then several
// concurrent), with the gateway's peak RSS growth; a local-disk upload
// against a probe that streams the same bytes to a file with sha256 and
// fsync; a signed-URL download against http.ServeFile of the same file;
// and small receipt uploads per second on SQLite and PostgreSQL. It starts
// the gateways itself (cmd/internal/benchgw); scripts/bench-upload.sh runs
// it under an S3 server and PostgreSQL.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	var c config
	flag.Int64Var(&c.size, "size", 1<<30, "bytes of the large upload (S3 and local disk)")
	flag.IntVar(&c.concurrent, "concurrent", 8, "concurrent uploads")
	flag.Int64Var(&c.eachSize, "each", 128<<20, "bytes of each concurrent upload")
	flag.Uint64Var(&c.partMiB, "part-mib", 8, "part size, MiB, of the gateway (SPACES_PART_SIZE_MIB) and of the direct PUT")
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients of the receipt uploads")
	flag.DurationVar(&c.receipts, "receipts", 5*time.Second, "length of each receipt measurement, after a 1 s warm-up")
	flag.StringVar(&c.profile, "cpuprofile", "", "write the gateway's CPU profile of the concurrent S3 uploads to FILE "+
		"(the gateway is then built with -tags benchpprof)")
	flag.Parse()
	c.s3 = s3Server{endpoint: os.Getenv("STORAGEGW_TEST_S3_ENDPOINT"),
		access: os.Getenv("STORAGEGW_TEST_S3_ACCESS_KEY"), secret: os.Getenv("STORAGEGW_TEST_S3_SECRET_KEY")}
	c.postgres = os.Getenv("STORAGEGW_TEST_DATABASE_URL")
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchupload:", err)
		os.Exit(1)
	}
}
