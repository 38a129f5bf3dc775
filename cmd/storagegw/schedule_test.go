package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
)

// TestPurgeSchedule: serve's in-process purge removes what is due, and
// stops when its context ends.
func TestPurgeSchedule(t *testing.T) {
	t.Parallel()
	cfgFile := filepath.Join(t.TempDir(), "storagegw.yaml")
	if err := os.WriteFile(cfgFile, []byte("retention:\n  soft_delete: 1ms\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, map[string]string{"STORAGEGW_CONFIG": cfgFile})
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	want(t, "delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"), `{"file_path": "`+rec.FilePath+`"}`), http.StatusOK, "")
	time.Sleep(5 * time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	wg := startPurgeSchedule(ctx, 10*time.Millisecond, a.Svc.Core, zap.NewNop())
	deadline := time.Now().Add(5 * time.Second)
	for len(a.AuditLog("org-1", "action_type=PURGE")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the scheduled purge did not run")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	ev := a.AuditLog("org-1", "action_type=PURGE")[0]
	if ev.UserID != "system" || ev.UserRole != "system" || ev.FilePath != rec.FilePath {
		t.Errorf("PURGE event: got %+v", ev)
	}
	if _, err := os.Stat(filepath.Join(a.Cfg.BlobRoot(), "blobs", "org-1")); err == nil {
		entries, _ := filepath.Glob(filepath.Join(a.Cfg.BlobRoot(), "blobs", "org-1", "*", "*", "*", "*", "*"))
		if len(entries) != 0 {
			t.Errorf("blobs left: %v", entries)
		}
	}
}

// TestSealSchedule: serve's in-process sealer links new events and signs
// a checkpoint that covers them within seconds, and stops with its
// context.
func TestSealSchedule(t *testing.T) {
	t.Parallel()
	a := newAPI(t, map[string]string{"STORAGEGW_AUDIT_CHECKPOINT_INTERVAL": "10ms"})
	ctx, cancel := context.WithCancel(context.Background())
	wg := startSealSchedule(ctx, 10*time.Millisecond, a.Svc.Core, zap.NewNop())
	defer func() { cancel(); wg.Wait() }()
	a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := a.Get("/api/storage/audit-logs/checkpoint", a.Token("org-1", "auditor"))
		if r.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint covers the upload: %d %s", r.Status, r.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
