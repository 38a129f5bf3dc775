package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkSignedURL measures what a signed URL costs per request through
// the real wire graph and HTTP, one client at a time: issuing one (the
// link row and the SIGNED_URL_GENERATED event in one transaction) and using
// one, for local links (SQLite + local disk: the service serves the bytes)
// and, on PostgreSQL + the S3 server, presigned links (the store serves them;
// the service never sees the use) next to gateway links (the service checks
// the link, counts the use with its DOWNLOAD event and answers 302; then the
// store serves the bytes). 2 KiB files.
//
//	scripts/with-postgres.sh scripts/with-s3.sh go test ./e2e -run '^$' -bench BenchmarkSignedURL -benchtime 2s
func BenchmarkSignedURL(b *testing.B) {
	body := pngOf(2 << 10)
	b.Run("local-sqlite", func(b *testing.B) {
		a := newAPI(b, nil)
		rec := a.uploadReceipt(b, "org-1", "exp-1", body)
		viewer := a.Token("org-1", "viewer")
		b.Run("issue", func(b *testing.B) { benchIssue(b, a, viewer, rec.FilePath, "local") })
		b.Run("use", func(b *testing.B) {
			benchUse(b, http.DefaultClient, a.signLink(b, viewer, rec.FilePath, "").URL, http.StatusOK)
		})
	})
	b.Run("s3-postgres", func(b *testing.B) {
		s3 := testS3(b)
		a := newAPI(b, s3.SpacesEnv(s3.Endpoint, s3.Bucket(b), postgresEnvTB(b)))
		rec := a.uploadReceipt(b, "org-1", "exp-1", body)
		doc := a.UploadDoc("org-1", "d1", "d.png", body)
		viewer := a.Token("org-1", "viewer")
		b.Run("issue/presigned", func(b *testing.B) { benchIssue(b, a, viewer, doc.FilePath, "presigned") })
		b.Run("issue/gateway", func(b *testing.B) { benchIssue(b, a, viewer, rec.FilePath, "gateway") })
		b.Run("use/presigned", func(b *testing.B) {
			benchUse(b, http.DefaultClient, a.signLink(b, viewer, doc.FilePath, "").URL, http.StatusOK)
		})
		gw := a.signLink(b, viewer, rec.FilePath, "").URL
		b.Run("use/gateway-302", func(b *testing.B) { benchUse(b, noRedirect, gw, http.StatusFound) })
		b.Run("use/gateway-followed", func(b *testing.B) { benchUse(b, http.DefaultClient, gw, http.StatusOK) })
	})
}

func benchIssue(b *testing.B, a *api, tok, filePath, mode string) {
	if l := a.signLink(b, tok, filePath, ""); l.LinkMode != mode {
		b.Fatalf("link mode %q, want %q", l.LinkMode, mode)
	}
	body := `{"file_path":"` + filePath + `"}`
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/storage/signed-url", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		drainOK(b, http.DefaultClient, req, http.StatusOK)
	}
}

func benchUse(b *testing.B, c *http.Client, url string, status int) {
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		drainOK(b, c, req, status)
	}
}

func drainOK(b *testing.B, c *http.Client, req *http.Request, status int) {
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != status {
		b.Fatalf("%s %s: got %d, want %d", req.Method, req.URL.Path, res.StatusCode, status)
	}
}
