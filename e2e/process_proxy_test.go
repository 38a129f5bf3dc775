package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// TestProcessProxyFaultsPostgresS3: a storagegw process reaches
// PostgreSQL and the S3 server through proxies of the test's own, which
// black-hole (every packet dropped, no connection breaks) or reset (every
// connection cut with RST, new ones refused) one link at a time. An upload
// under each fault answers 503 with the link's code within the documented
// budget and /readyz answers 503; once the link is back, a retry of the
// same upload succeeds (its path was never left reserved) and /readyz is
// 200 again, without a restart; nothing is left for the clean-up.
func TestProcessProxyFaultsPostgresS3(t *testing.T) {
	t.Parallel()
	b := postgresS3Backend(t)
	u, err := url.Parse(b.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	pg := newSwitchProxy(t, u.Host)
	u.Host = pg.addr()
	store := newSwitchProxy(t, b.s3.Endpoint)
	const dbTimeout, reqTimeout, opTimeout = 2 * time.Second, 2 * time.Second, 3 * time.Second
	p := e2etest.StartProcess(t, b.with(map[string]string{"DATABASE_URL": u.String(),
		"DATABASE_OPERATION_TIMEOUT": dbTimeout.String(), "DATABASE_CONNECT_TIMEOUT": dbTimeout.String(),
		"SPACES_ENDPOINT": store.addr(), "SPACES_REQUEST_TIMEOUT": reqTimeout.String(),
		"SPACES_OPERATION_TIMEOUT": opTimeout.String(), "STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"}))
	a := &api{p.API}
	member := a.Token("org-1", "member")
	a.UploadDoc("org-1", "warm", "a.png", pngOf(100)) // open connections to both

	cases := []struct {
		link, mode, code string
		proxy            *switchProxy
		budget           time.Duration // documented: runbook 8.1 and 8.2, plus a margin
	}{
		{"database", "blackhole", "database_unavailable", pg, 2*dbTimeout + 2*time.Second},
		{"database", "reset", "database_unavailable", pg, 2*dbTimeout + 2*time.Second},
		{"store", "blackhole", "store_unavailable", store, opTimeout + reqTimeout + 2*time.Second},
		{"store", "reset", "store_unavailable", store, opTimeout + reqTimeout + 2*time.Second},
	}
	for _, c := range cases {
		fault := c.link + " " + c.mode
		id := strings.ReplaceAll(fault, " ", "-")
		c.proxy.set(c.mode)
		start := time.Now()
		r, err := tryUpload(a.URL, member, id, "a.png", pngOf(2000))
		took := time.Since(start)
		if err != nil || r.Status != http.StatusServiceUnavailable || r.Code() != c.code {
			t.Errorf("upload with the %s: %v %d %s, want 503 %s", fault, err, r.Status, r.Body, c.code)
		}
		if took > c.budget {
			t.Errorf("upload with the %s answered after %v, want within %v", fault, took, c.budget)
		}
		readyStart := time.Now()
		ready := a.Get("/readyz", "")
		readyTook := time.Since(readyStart)
		check := map[string]string{"database": `"database":{"status":"unavailable"`, "store": `"blob_store":{"status":"unavailable"`}[c.link]
		if ready.Status != http.StatusServiceUnavailable || !strings.Contains(string(ready.Body), check) {
			t.Errorf("readyz with the %s: %d %s, want 503 naming it", fault, ready.Status, ready.Body)
		}
		faultFigure(t, b.name, fault+" (proxy)", "503 "+c.code, took, fmt.Sprintf("readyz 503 after %v", readyTook.Round(time.Millisecond)))

		c.proxy.set("up")
		back := time.Now()
		retries := 0
		for {
			r, err := tryUpload(a.URL, member, id, "a.png", pngOf(2000))
			if err == nil && r.Status == http.StatusCreated {
				break
			}
			retries++
			if time.Since(back) > 30*time.Second {
				t.Fatalf("upload after the %s ended: still %v %d %s", fault, err, r.Status, r.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		recovered := time.Since(back)
		waitFor(t, "readyz after the "+fault, 10*time.Second, func() bool { return a.Get("/readyz", "").Status == http.StatusOK })
		faultFigure(t, b.name, fault+" (proxy)", "recovered (retry 201)", recovered,
			fmt.Sprintf("the retry got 201 after %d failed attempts; readyz 200 after %v", retries,
				time.Since(back).Round(time.Millisecond)))
	}

	db := openDB(t, p)
	if got := pendingRows(t, db); got != 0 {
		t.Errorf("pending rows after the faults: %d, want 0", got)
	}
	if got := b.storeUploads(t); got != 0 {
		t.Errorf("store multipart uploads after the faults: %d, want 0", got)
	}
	if res := p.Run(nil, "cleanup-uploads"); res.Code != 0 || !strings.HasPrefix(res.Stdout,
		"cleaned up 0 expired sessions, 0 lapsed reservations, 0 leftover store uploads") {
		t.Errorf("cleanup-uploads after the faults: %s, want nothing to do", res)
	}
	if res := p.Run(nil, "reconcile"); res.Code != 0 || !strings.Contains(res.Stdout, " 0 orphans") {
		t.Errorf("reconcile after the faults: %s, want no orphan", res)
	}
	if res := p.Run(nil, "audit", "verify"); res.Code != 0 {
		t.Errorf("audit verify: %s", res)
	}
}
