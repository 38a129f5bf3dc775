package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// TestTypeScriptClientInBrowser runs clients/typescript's uploadWithProgress
// (XHR: a browser API) in Chromium, from a page on another origin than
// the gateway's: the file is stored, progress is reported up to the whole
// body, and a refusal is a typed UploadError.
func TestTypeScriptClientInBrowser(t *testing.T) {
	t.Parallel()
	modules := e2etest.NPM(t, "e2e/browser", "playwright-core/package.json")
	chromium := e2etest.Chromium(t)
	a := e2etest.New(t, nil)
	dir := t.TempDir()
	origin := e2etest.PageServer(t, dir)

	root := e2etest.Root()
	cmd := exec.Command("node", filepath.Join(root, "clients", "typescript", "test", "browser", "run.cjs"),
		filepath.Join(root, "e2e", "browser", "launch.cjs"), dir, origin, a.URL, a.Token("org-1", "member"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "CHROMIUM="+chromium)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	t.Logf("chromium run: %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("run.cjs: %v\n%s\n%s", err, out, stderr.String())
	}
	var res struct {
		Size     int64          `json:"size"`
		Record   e2etest.Record `json:"record"`
		Progress [][2]int64     `json:"progress"`
		Refused  struct {
			Status int    `json:"status"`
			Code   string `json:"code"`
		} `json:"refused"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("run.cjs printed %q: %v", out, err)
	}
	if res.Record.FilePath != "org-1/workspace/doc/browser/xhr.png" || res.Record.SizeBytes != res.Size ||
		res.Record.ContentType != "image/png" {
		t.Errorf("record %+v, want org-1/workspace/doc/browser/xhr.png of %d bytes, image/png", res.Record, res.Size)
	}
	if len(res.Progress) == 0 {
		t.Fatal("no progress reported")
	}
	last := res.Progress[len(res.Progress)-1]
	if last[0] != last[1] || last[1] <= res.Size {
		t.Errorf("last progress %v, want the whole body (more than the file's %d bytes)", last, res.Size)
	}
	for i := 1; i < len(res.Progress); i++ {
		if res.Progress[i][0] < res.Progress[i-1][0] {
			t.Errorf("progress goes back: %v", res.Progress)
		}
	}
	if res.Refused.Status != 409 || res.Refused.Code != "file_exists" {
		t.Errorf("second upload: got %+v, want UploadError 409 file_exists", res.Refused)
	}
	t.Logf("%d progress events, last %v", len(res.Progress), last)
	r := a.Get("/api/storage/metadata/"+res.Record.FilePath, a.Token("org-1", "viewer"))
	var rec e2etest.Record
	r.JSON(t, &rec)
	if r.Status != 200 || rec.SHA256 != res.Record.SHA256 {
		t.Errorf("the service's record: %d %s", r.Status, r.Body)
	}
}
