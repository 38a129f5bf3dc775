package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestAPIRestore: an admin restores a soft-deleted file; members cannot;
// files that are not deleted, purged, or another org's are 404.
func TestAPIRestore(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	body := `{"file_path": "` + rec.FilePath + `"}`
	admin := a.Token("org-1", "admin")

	want(t, "not deleted", a.SendJSON(http.MethodPost, "/api/storage/restore", admin, body), http.StatusNotFound, "not_found")
	want(t, "soft delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"), body), http.StatusOK, "")
	want(t, "member", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-1", "member"), body), http.StatusForbidden, "forbidden")
	want(t, "other org", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-2", "admin"), body), http.StatusNotFound, "not_found")
	want(t, "no token", a.SendJSON(http.MethodPost, "/api/storage/restore", "", body), http.StatusUnauthorized, "token_missing")

	r := a.SendJSON(http.MethodPost, "/api/storage/restore", admin, body)
	want(t, "restore", r, http.StatusOK, "")
	var got record
	r.JSON(t, &got)
	if got.Deleted || got.DeletedAt != nil || got.FilePath != rec.FilePath || got.SHA256 != rec.SHA256 {
		t.Errorf("restored record: got %+v", got)
	}
	want(t, "metadata after restore", a.Get("/api/storage/metadata/"+rec.FilePath, a.Token("org-1", "viewer")), http.StatusOK, "")

	hard := `{"file_path": "` + rec.FilePath + `", "hard": true}`
	want(t, "hard delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", admin, hard), http.StatusOK, "")
	want(t, "purged", a.SendJSON(http.MethodPost, "/api/storage/restore", admin, body), http.StatusNotFound, "not_found")

	events := a.AuditLog("org-1", "action_type=RESTORE")
	if len(events) != 4 { // not deleted, member, restored, purged (org-2's is in org-2's trail)
		t.Fatalf("RESTORE events: got %d, want 4: %+v", len(events), events)
	}
	ok := 0
	for _, e := range events {
		if e.Success {
			ok++
			if e.UserID != "admin-org-1" || e.Metadata["deleted_by"] != "member-org-1" {
				t.Errorf("RESTORE event: got %+v", e)
			}
		}
	}
	if ok != 1 {
		t.Errorf("got %d successful RESTORE events, want 1", ok)
	}
}

// TestAPIReadyz: ready with SQLite and local disk; 503 naming the
// database once it is closed.
func TestAPIReadyz(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	var body struct {
		Status string `json:"status"`
		Checks map[string]struct {
			Status string `json:"status"`
			Error  string `json:"error"`
		} `json:"checks"`
	}
	r := a.Get("/readyz", "")
	want(t, "ready", r, http.StatusOK, "")
	r.JSON(t, &body)
	if body.Status != "ok" || body.Checks["database"].Status != "ok" || body.Checks["blob_store"].Status != "ok" {
		t.Errorf("ready: got %s", r.Body)
	}
	a.Svc.DB.Close()
	r = a.Get("/readyz", "")
	want(t, "database closed", r, http.StatusServiceUnavailable, "")
	r.JSON(t, &body)
	if body.Status != "unavailable" || body.Checks["database"].Status != "unavailable" || body.Checks["database"].Error == "" ||
		body.Checks["blob_store"].Status != "ok" || bytes.Contains(r.Body, []byte("sql:")) {
		t.Errorf("database closed: got %s", r.Body)
	}
	want(t, "healthz stays up", a.Get("/healthz", ""), http.StatusOK, "")
}

// TestAPIReadyzBlobStore: a removed blob directory makes the store check fail.
func TestAPIReadyzBlobStore(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	if err := os.RemoveAll(filepath.Join(a.Cfg.BlobRoot(), "blobs")); err != nil {
		t.Fatal(err)
	}
	r := a.Get("/readyz", "")
	want(t, "store gone", r, http.StatusServiceUnavailable, "")
	if !bytes.Contains(r.Body, []byte(`"blob_store":{"status":"unavailable"`)) {
		t.Errorf("got %s", r.Body)
	}
	// A file where the blob directory was: uploads fail with the code the
	// Spaces store answers too, and leave no record.
	if err := os.WriteFile(filepath.Join(a.Cfg.BlobRoot(), "blobs"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	member := a.Token("org-1", "member")
	want(t, "upload, store broken", a.Upload("/api/storage/upload", member,
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, "a.png", pngOf(10)),
		http.StatusServiceUnavailable, "store_unavailable")
	want(t, "no record", a.Get("/api/storage/metadata/org-1/workspace/doc/d1/a.png", member), http.StatusNotFound, "not_found")
}

// TestAPIReadyzDisk: a free-space floor above what the data dir's
// filesystem has makes the disk check fail, naming the floor.
func TestAPIReadyzDisk(t *testing.T) {
	t.Parallel()
	a := newAPI(t, map[string]string{"STORAGEGW_MIN_FREE_DISK_MIB": "1073741824"}) // 1 PiB
	r := a.Get("/readyz", "")
	want(t, "disk below floor", r, http.StatusServiceUnavailable, "")
	if !bytes.Contains(r.Body, []byte(`"disk":{"status":"unavailable","error":"insufficient_storage: The data directory has`)) ||
		!bytes.Contains(r.Body, []byte(`"blob_store":{"status":"ok"}`)) {
		t.Errorf("got %s", r.Body)
	}
	r = newAPI(t, nil).Get("/readyz", "")
	want(t, "default floor", r, http.StatusOK, "")
	if !bytes.Contains(r.Body, []byte(`"disk":{"status":"ok"}`)) {
		t.Errorf("default floor: got %s", r.Body)
	}
}

// TestAPIMetrics: /metrics needs no token, parses as the Prometheus text
// format and has the service's families.
func TestAPIMetrics(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	a.UploadDoc("org-1", "d1", "a.png", pngOf(100))
	a.Get("/api/storage/files", "not-a-token")
	a.Get("/readyz", "")
	r := a.Get("/metrics", "")
	want(t, "metrics", r, http.StatusOK, "")
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, r.Body)
	}
	for _, name := range []string{
		"storagegw_http_requests_total", "storagegw_http_request_duration_seconds",
		"storagegw_http_request_body_bytes_total", "storagegw_http_response_body_bytes_total",
		"storagegw_uploads_total", "storagegw_upload_bytes_total",
		"storagegw_auth_refused_total", "storagegw_build_info", "go_sql_open_connections", "go_goroutines",
	} {
		if families[name] == nil {
			t.Errorf("family %s is missing", name)
		}
	}
	// /metrics needs no token: nothing in it may name a tenant.
	if strings.Contains(string(r.Body), "org-1") {
		t.Errorf("/metrics names an org:\n%s", r.Body)
	}
	found := false
	for _, m := range families["storagegw_http_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["route"] == "/api/storage/upload" && labels["method"] == "POST" && labels["status"] == "201" {
			found = true
		}
		if labels["route"] != "(unmatched)" && labels["route"] != "" && labels["route"][0] != '/' {
			t.Errorf("route label %q is not a template", labels["route"])
		}
	}
	if !found {
		t.Error("no request count for POST /api/storage/upload 201")
	}
}

// TestAPIUploadDiskFull: on a data dir of 2 MiB (a tmpfs; mounting one
// needs root, so the test is skipped where it cannot), an upload larger
// than the space left answers 507 insufficient_storage and leaves no record.
func TestAPIUploadDiskFull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 2 MiB tmpfs (needs root): %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	a := newAPI(t, map[string]string{"STORAGEGW_DATA_DIR": dir, "STORAGEGW_MIN_FREE_DISK_MIB": "0"})
	member := a.Token("org-1", "member")
	want(t, "upload, disk full", a.Upload("/api/storage/upload", member,
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, "a.png", pngOf(3<<20)),
		http.StatusInsufficientStorage, "insufficient_storage")
	want(t, "no record", a.Get("/api/storage/metadata/org-1/workspace/doc/d1/a.png", member), http.StatusNotFound, "not_found")
}
