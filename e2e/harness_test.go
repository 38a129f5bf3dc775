package e2e

import (
	"testing"

	"storagegw/e2e/e2etest"
)

// The harness is e2etest's, shared with the commands' tests: the service
// as the composition root assembles it (SQLite and local disk under a temp
// dir unless env says otherwise), behind a real HTTP server.
type (
	api       struct{ *e2etest.API }
	s3Server  struct{ e2etest.S3 }
	response  = e2etest.Response
	record    = e2etest.Record
	auditItem = e2etest.AuditItem
)

func newAPI(t testing.TB, env map[string]string) *api { return &api{e2etest.New(t, env)} }

// testS3 is the S3 server of scripts/with-s3.sh; without one the test
// skips, or fails when CI=true.
func testS3(t testing.TB) s3Server { return s3Server{e2etest.NewS3(t)} }

var (
	want     = e2etest.Want
	pngOf    = e2etest.PNG
	pdfBytes = e2etest.PDF
)
