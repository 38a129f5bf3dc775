package e2etest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7/pkg/cors"
)

// spacesCORSRule is docs/SPACES.md's bucket CORS rule (section "CORS"):
// its one ```xml block.
var spacesCORSRule = regexp.MustCompile("(?s)```xml\n(<CORSConfiguration>.*?</CORSConfiguration>)\n```")

// allowedOrigins matches the rule's AllowedOrigin lines.
var allowedOrigins = regexp.MustCompile(`(?m)^[ \t]*<AllowedOrigin>[^<]*</AllowedOrigin>\n`)

// BucketCORS puts on bucket the CORS rule docs/SPACES.md tells operators
// to put on theirs, with origins in place of its example origins, the way
// they do (PutBucketCors), and reads it back: the pages of origins may
// then fetch() signed URLs and PUT multipart parts straight to the store.
// The rule is read from the document itself, so a test that needs it
// proves the document's rule works.
func (s S3) BucketCORS(t testing.TB, bucket string, origins ...string) *cors.Config {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(Root(), "docs", "SPACES.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := spacesCORSRule.FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/SPACES.md: no ```xml block with a <CORSConfiguration> (section \"CORS\")")
	}
	var lines strings.Builder
	for _, o := range origins {
		lines.WriteString("    <AllowedOrigin>" + o + "</AllowedOrigin>\n")
	}
	n := 0
	rule := allowedOrigins.ReplaceAllStringFunc(string(m[1]), func(string) string {
		if n++; n == 1 {
			return lines.String()
		}
		return ""
	})
	if n == 0 {
		t.Fatal("docs/SPACES.md: the CORS rule has no <AllowedOrigin>")
	}
	cfg, err := cors.ParseBucketCorsConfig(strings.NewReader(rule))
	if err != nil {
		t.Fatalf("docs/SPACES.md's CORS rule: %v\n%s", err, rule)
	}
	ctx := context.Background()
	if err := s.Admin.SetBucketCors(ctx, bucket, cfg); err != nil {
		t.Fatalf("PutBucketCors on %s (the S3 server must support bucket CORS): %v", bucket, err)
	}
	got, err := s.Admin.GetBucketCors(ctx, bucket)
	if err != nil || got == nil || len(got.CORSRules) != len(cfg.CORSRules) {
		t.Fatalf("GetBucketCors on %s after PutBucketCors: got %+v, %v; want the rule put", bucket, got, err)
	}
	return cfg
}
