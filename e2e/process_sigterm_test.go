package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// termTimeout is the shutdown timeout of the SIGTERM tests.
const termTimeout = 2 * time.Second

// TestProcessSIGTERMCutsUploadsSQLite and …PostgresS3: SIGTERM reaches a
// storagegw process while uploads are in flight that do not finish within
// STORAGEGW_SHUTDOWN_TIMEOUT (clients that go on sending). The process
// exits within the timeout and a margin; each cut upload gets a failure
// answer, its reservation is released (no pending row, no temp file, no
// store upload) and its failure event written, one each; an upload that
// finished before the signal is kept; after a restart the paths take new
// uploads at once.
func TestProcessSIGTERMCutsUploadsSQLite(t *testing.T) {
	t.Parallel()
	testSIGTERMCutsUploads(t, sqliteBackend(t))
}

func TestProcessSIGTERMCutsUploadsPostgresS3(t *testing.T) {
	t.Parallel()
	testSIGTERMCutsUploads(t, postgresS3Backend(t))
}

func testSIGTERMCutsUploads(t *testing.T, b procBackend) {
	p := e2etest.StartProcess(t, b.with(map[string]string{"STORAGEGW_SHUTDOWN_TIMEOUT": termTimeout.String(),
		"STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"}))
	a := &api{p.API}
	db := openDB(t, p)
	const org = "org-1"
	member := a.Token(org, "member")
	kept := a.UploadDoc(org, "kept", "a.png", pngOf(1000))

	const n = 3
	held := make([]*heldUpload, n)
	for i := range held {
		held[i] = holdUpload(a.URL, member, org, fmt.Sprintf("cut-%d", i), b.held)
	}
	waitCount(t, "the held uploads' reservations", n, false, func() int { return pendingRows(t, db) })
	if b.s3 != nil {
		waitCount(t, "the held uploads' store uploads", n, false, func() int { return b.storeUploads(t) })
	}
	took, code := p.Terminate(termTimeout + 20*time.Second)
	faultFigure(t, b.name, "SIGTERM with uploads in flight", "process exited", took, fmt.Sprintf("exit status %d", code))
	if code != 0 {
		t.Errorf("storagegw serve after SIGTERM: exit status %d, want 0", code)
	}
	if limit := termTimeout + 5*time.Second; took > limit {
		t.Errorf("storagegw serve took %v to exit after SIGTERM; want within %v", took, limit)
	}
	// Each cut upload answered 503 shutting_down; the client may still
	// see only the broken connection, when its transport's failed write of
	// the rest of the body wins over the early answer.
	answered := 0
	for _, h := range held {
		r := h.wait(t, 5*time.Second)
		switch {
		case r.err == nil && r.status == http.StatusServiceUnavailable && strings.Contains(string(r.body), `"shutting_down"`):
			answered++
		case r.err == nil:
			t.Errorf("cut upload %s: got %d %s, want 503 shutting_down", h.path, r.status, r.body)
		}
	}
	logged := p.LogLines(`"route":"/api/storage/upload"`, `"status":503`, `"error_code":"shutting_down"`)
	faultFigure(t, b.name, "SIGTERM with uploads in flight", "503 shutting_down", took,
		fmt.Sprintf("%d of %d cut uploads answered it, %d clients read it", len(logged), n, answered))
	if len(logged) != n {
		t.Errorf("cut uploads answered 503 shutting_down: %d logged, want %d", len(logged), n)
	}
	if got := pendingRows(t, db); got != 0 {
		t.Errorf("pending rows after the shutdown: %d, want 0 (the cut uploads release their reservations)", got)
	}
	if got := tempFiles(t, p); got != 0 {
		t.Errorf("temp files after the shutdown: %d, want 0", got)
	}
	if got := b.storeUploads(t); got != 0 {
		t.Errorf("store multipart uploads after the shutdown: %d, want 0", got)
	}

	start := time.Now()
	p.Restart()
	faultFigure(t, b.name, "SIGTERM with uploads in flight", "ready again (restart)", time.Since(start), "")
	events := uploadEvents(t, a, org)
	if got := events[kept.FilePath]; got != [2]int{1, 0} {
		t.Errorf("UPLOAD events of the finished upload: got %v, want one success", got)
	}
	readBack(t, a, org, kept.FilePath, kept.SHA256)
	for _, h := range held {
		if got := events[h.path]; got != [2]int{0, 1} {
			t.Errorf("UPLOAD events of cut %s: got %v, want one failure", h.path, got)
		}
		want(t, "no record of cut "+h.path, a.Get("/api/storage/metadata/"+h.path, member), http.StatusNotFound, "not_found")
		// The path is free at once: no lease to wait for.
		id := h.path[len(org+"/workspace/doc/") : len(h.path)-len("/held.png")]
		r, err := tryUpload(a.URL, member, id, "held.png", pngOf(500))
		if err != nil || r.Status != http.StatusCreated {
			t.Errorf("retry of %s after the restart: %v %d %s, want 201 at once", h.path, err, r.Status, r.Body)
		}
	}
	if res := p.Run(nil, "cleanup-uploads"); res.Code != 0 ||
		counts(t, cleanupLine, res.Stdout)[1] != 0 || counts(t, cleanupLine, res.Stdout)[2] != 0 {
		t.Errorf("cleanup-uploads after the shutdown: %s, want nothing left to clean up", res)
	}
	if res := p.Run(nil, "audit", "verify"); res.Code != 0 {
		t.Errorf("audit verify: %s", res)
	}
}
