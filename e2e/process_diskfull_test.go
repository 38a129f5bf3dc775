package e2e

import (
	"bytes"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// TestProcessDiskFullSQLite: a storagegw process whose data dir (SQLite
// and local blobs) is a 4 MiB tmpfs (mounting one needs root: skipped,
// with the reason printed, where the machine cannot) gets an upload larger
// than the space left: it answers 507 insufficient_storage at once, with
// one failure event, and leaves no temp file and no pending row; a smaller
// upload to the same path then succeeds, and nothing is left for the
// clean-up.
func TestProcessDiskFullSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 4 MiB tmpfs for the data dir (needs root): %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	p := e2etest.StartProcess(t, map[string]string{"STORAGEGW_DATA_DIR": dir, "STORAGEGW_MIN_FREE_DISK_MIB": "0"})
	a := &api{p.API}
	db := openDB(t, p)
	const org = "org-1"
	member := a.Token(org, "member")
	path := org + "/workspace/doc/d1/big.png"

	start := time.Now()
	r, err := tryUpload(a.URL, member, "d1", "big.png", pngOf(6<<20))
	took := time.Since(start)
	if err != nil || r.Status != http.StatusInsufficientStorage || r.Code() != "insufficient_storage" {
		t.Fatalf("upload to a full disk: %v %d %s, want 507 insufficient_storage", err, r.Status, r.Body)
	}
	if got := tempFiles(t, p); got != 0 {
		t.Errorf("temp files after the refused upload: %d, want 0", got)
	}
	if got := pendingRows(t, db); got != 0 {
		t.Errorf("pending rows after the refused upload: %d, want 0", got)
	}
	retry := time.Now()
	rec := a.UploadDoc(org, "d1", "big.png", pngOf(100<<10))
	faultFigure(t, "sqlite+localfs", "disk full (4 MiB tmpfs)", "507 insufficient_storage", took,
		"a 100 KiB retry of the path got 201 after "+time.Since(retry).Round(time.Millisecond).String())
	if got := uploadEvents(t, a, org)[path]; got != [2]int{1, 1} {
		t.Errorf("UPLOAD events of %s: got %v, want the refused one and the retry", path, got)
	}
	readBack(t, a, org, rec.FilePath, rec.SHA256)
	if r := a.Get("/readyz", ""); r.Status != http.StatusOK {
		t.Errorf("readyz after the refused upload: %d %s", r.Status, r.Body)
	}
	if res := p.Run(nil, "cleanup-uploads"); res.Code != 0 || counts(t, cleanupLine, res.Stdout)[1] != 0 {
		t.Errorf("cleanup-uploads after the full disk: %s, want nothing to do", res)
	}
	if res := p.Run(nil, "audit", "verify"); res.Code != 0 {
		t.Errorf("audit verify: %s", res)
	}
}
