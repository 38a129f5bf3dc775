package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"storagegw/adapters/localfs"
)

// run executes the command line args with the environment env and
// returns its standard output, standard error and exit status.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCommand(func(k string) string { return env[k] })
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	if err := root.ExecuteContext(context.Background()); err != nil {
		errb.WriteString("storagegw: " + err.Error() + "\n")
		code = exitCode(err)
	}
	return out.String(), errb.String(), code
}

// envOf is the environment that points the commands at a's instance.
func envOf(a *api) map[string]string {
	return map[string]string{"STORAGEGW_DATA_DIR": a.Cfg.DataDir, "STORAGEGW_LOG_LEVEL": "error"}
}

func TestPurgeCommand(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	env := envOf(a)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(100))
	a.UploadDoc("org-1", "d1", "kept.png", pngOf(10))
	want(t, "delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"), `{"file_path": "`+rec.FilePath+`"}`), http.StatusOK, "")

	out, errOut, code := run(t, env, "purge")
	if code != 0 || out != "purged 0 files, 0 bytes, 0 failures\n" {
		t.Errorf("within retention: got %d %q %q", code, out, errOut)
	}
	out, _, code = run(t, env, "purge", "--dry-run", "--older-than", "1ns")
	if code != 0 || out != "dry run: would purge 1 files, "+itoa(rec.SizeBytes)+" bytes\n" {
		t.Errorf("dry run: got %d %q", code, out)
	}
	want(t, "still restorable after a dry run", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-1", "admin"), `{"file_path": "`+rec.FilePath+`"}`), http.StatusOK, "")
	want(t, "delete again", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"), `{"file_path": "`+rec.FilePath+`"}`), http.StatusOK, "")

	metricsFile := filepath.Join(t.TempDir(), "purge.prom")
	out, errOut, code = run(t, env, "purge", "--older-than", "1ns", "--batch", "1", "--metrics-file", metricsFile)
	if code != 0 || out != "purged 1 files, "+itoa(rec.SizeBytes)+" bytes, 0 failures\n" {
		t.Errorf("purge: got %d %q %q", code, out, errOut)
	}
	if b, err := os.ReadFile(metricsFile); err != nil || !strings.Contains(string(b), "storagegw_purge_files_total 1") {
		t.Errorf("metrics file: %v %s", err, b)
	}
	if ev := a.AuditLog("org-1", "action_type=PURGE"); len(ev) != 1 || ev[0].UserID != "system" {
		t.Errorf("PURGE events: %+v", ev)
	}
	want(t, "purged is gone", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-1", "admin"), `{"file_path": "`+rec.FilePath+`"}`), http.StatusNotFound, "not_found")

	if _, _, code := run(t, env, "purge", "--batch", "0"); code != 2 {
		t.Errorf("--batch 0: exit %d, want 2", code)
	}
	if _, _, code := run(t, map[string]string{"STORAGEGW_DATA_DIR": a.Cfg.DataDir, "STORAGEGW_ENV": "prod"}, "purge"); code != 2 {
		t.Errorf("bad configuration: exit %d, want 2", code)
	}
}

func TestReconcileCommand(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	env := envOf(a)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(100))
	gone := a.UploadDoc("org-2", "d1", "gone.png", pngOf(10))

	out, errOut, code := run(t, env, "reconcile")
	if code != 0 || !strings.HasPrefix(out, "scanned 2 blobs and 2 records: 0 orphans (0 removed), 0 missing") {
		t.Fatalf("clean: got %d %q %q", code, out, errOut)
	}

	store, err := localfs.New(a.Cfg.BlobRoot())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stray := rec.FilePath + "/crashed-upload"
	if _, err := store.Put(context.Background(), stray, strings.NewReader("x"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	out, _, code = run(t, env, "reconcile", "--fix")
	if code != 1 || !strings.Contains(out, "orphan   "+stray) || !strings.Contains(out, "kept (within grace)") {
		t.Errorf("young orphan with --fix: got %d %q", code, out)
	}
	out, _, code = run(t, env, "reconcile", "--fix", "--grace", "1ns", "--org", "org-1")
	if code != 0 || !strings.Contains(out, "removed") || !strings.Contains(out, "1 orphans (1 removed)") {
		t.Errorf("old orphan with --fix: got %d %q", code, out)
	}

	info, err := store.List(context.Background(), gone.FilePath+"/", "", 10)
	if err != nil || len(info) != 1 {
		t.Fatalf("list: %v %v", info, err)
	}
	if err := store.Delete(context.Background(), info[0].Key); err != nil {
		t.Fatal(err)
	}
	out, _, code = run(t, env, "reconcile", "--fix")
	if code != 1 || !strings.Contains(out, "missing  "+gone.FilePath) || !strings.Contains(out, "1 missing") {
		t.Errorf("missing blob: got %d %q", code, out)
	}
	if _, _, code := run(t, env, "reconcile", "--org", "org-1"); code != 0 {
		t.Errorf("another org's problem: exit %d, want 0", code)
	}
	if _, _, code := run(t, env, "reconcile", "--grace", "-1h"); code != 2 {
		t.Errorf("bad grace: exit %d, want 2", code)
	}
}

// pendingLine is doctor's line for pending migrations.
var pendingLine = regexp.MustCompile(`FAIL migrations: (\d+) of (\d+) pending`)

// allPending reports whether doctor said every migration is pending.
func allPending(out string) bool {
	m := pendingLine.FindStringSubmatch(out)
	return m != nil && m[1] == m[2] && m[1] != "0"
}

func TestDoctorCommand(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	out, errOut, code := run(t, envOf(a), "doctor")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 5 {
		t.Fatalf("healthy: got %d %q %q", code, out, errOut)
	}
	for i, name := range []string{"config", "database", "migrations", "blob store", "tokens"} {
		if !strings.HasPrefix(lines[i], "ok   "+name+": ") {
			t.Errorf("line %d: got %q, want ok %s", i, lines[i], name)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(a.Cfg.BlobRoot(), "blobs", "_doctor")); len(entries) != 0 {
		t.Errorf("the probe was left behind: %v", entries)
	}

	fresh := map[string]string{"STORAGEGW_DATA_DIR": t.TempDir(), "STORAGEGW_LOG_LEVEL": "error"}
	out, _, code = run(t, fresh, "doctor")
	if code != 1 || !allPending(out) || !strings.Contains(out, "ok   blob store") {
		t.Errorf("unmigrated: got %d %q", code, out)
	}
	down := map[string]string{"STORAGEGW_DATA_DIR": t.TempDir(), "DATABASE_URL": "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2"}
	out, _, code = run(t, down, "doctor")
	if code != 1 || !strings.Contains(out, "FAIL database: ") || strings.Contains(out, "secret@") {
		t.Errorf("database down: got %d %q", code, out)
	}
	out, _, code = run(t, map[string]string{"JWT_HS256_SECRET": "short"}, "doctor")
	if code != 1 || !strings.HasPrefix(out, "FAIL config: ") {
		t.Errorf("bad configuration: got %d %q", code, out)
	}
}

// TestCleanupUploadsCommand: with nothing expired the command cleans up
// nothing and exits 0; without a usable configuration it exits 2.
func TestCleanupUploadsCommand(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	out, errOut, code := run(t, envOf(a), "cleanup-uploads")
	if code != 0 || out != "cleaned up 0 expired sessions, 0 lapsed reservations, 0 leftover store uploads and 0 temp files; 0 skipped (in use), 0 failures; removed 0 expired idempotency keys and 0 expired links\n" {
		t.Errorf("nothing expired: got %d %q %q", code, out, errOut)
	}
	if _, _, code := run(t, map[string]string{"STORAGEGW_DATA_DIR": a.Cfg.DataDir, "STORAGEGW_ENV": "prod"}, "cleanup-uploads"); code != 2 {
		t.Errorf("bad configuration: exit %d, want 2", code)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	if got := exitCode(failed(errors.New("x"))); got != 2 {
		t.Errorf("failed: got %d", got)
	}
	if got := exitCode(errors.New("x")); got != 1 {
		t.Errorf("plain: got %d", got)
	}
	if failed(nil) != nil {
		t.Error("failed(nil) is not nil")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPurgeCommandVersions: --versions-older-than purges the versions an
// overwrite kept, and the summary says so; a dry run changes nothing.
func TestPurgeCommandVersions(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	env := envOf(a)
	first := pngOf(100)
	rec := a.UploadDoc("org-1", "d1", "v.png", first)
	r := a.Upload("/api/storage/upload", a.Token("org-1", "member"),
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}, {"overwrite", "true"}}, "v.png", pngOf(200))
	want(t, "overwrite", r, http.StatusCreated, "")

	out, errOut, code := run(t, env, "purge")
	if code != 0 || out != "purged 0 files, 0 bytes, 0 failures\n" {
		t.Errorf("within the version retention: got %d %q %q", code, out, errOut)
	}
	size := itoa(int64(len(first)))
	out, _, code = run(t, env, "purge", "--dry-run", "--versions-older-than", "1ns")
	if code != 0 || out != "dry run: would purge 0 files, 0 bytes; 1 versions, "+size+" bytes, 0 held\n" {
		t.Errorf("dry run: got %d %q", code, out)
	}
	out, errOut, code = run(t, env, "purge", "--versions-older-than", "1ns")
	if code != 0 || out != "purged 0 files, 0 bytes, 0 failures; 1 versions, "+size+" bytes, 0 held\n" {
		t.Errorf("purge: got %d %q %q", code, out, errOut)
	}
	ev := a.AuditLog("org-1", "action_type=PURGE")
	if len(ev) != 1 || ev[0].UserID != "system" || ev[0].FilePath != rec.FilePath || ev[0].Metadata["version_id"] == nil {
		t.Errorf("PURGE events: %+v", ev)
	}
}
