package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// postgresURL creates a fresh database on the server of
// $STORAGEGW_TEST_DATABASE_URL (set by scripts/with-postgres.sh) and
// returns its URL; it is dropped after the test. Without the variable the
// test is skipped, except in CI.
func postgresURL(t *testing.T) string {
	t.Helper()
	server := os.Getenv("STORAGEGW_TEST_DATABASE_URL")
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("STORAGEGW_TEST_DATABASE_URL is required in CI (run through scripts/with-postgres.sh)")
		}
		t.Skip("STORAGEGW_TEST_DATABASE_URL is not set: run through scripts/with-postgres.sh")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	name := "storagegw_cli_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestJobsOnPostgres runs doctor, purge, restore and reconcile against
// PostgreSQL and local disk.
func TestJobsOnPostgres(t *testing.T) {
	t.Parallel()
	dbURL := postgresURL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "STORAGEGW_DATA_DIR": t.TempDir(), "STORAGEGW_LOG_LEVEL": "error"}
	if out, _, code := run(t, env, "doctor"); code != 1 || !strings.Contains(out, "FAIL migrations") {
		t.Errorf("doctor before migrate: got %d %q", code, out)
	}
	if _, errOut, code := run(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	if out, _, code := run(t, env, "doctor"); code != 0 || !strings.Contains(out, "ok   database: postgres answers") {
		t.Errorf("doctor: got %d %q", code, out)
	}

	a := newAPI(t, env)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(100))
	gone := a.UploadDoc("org-1", "d1", "b.png", pngOf(100))
	for _, p := range []string{rec.FilePath, gone.FilePath} {
		want(t, "delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"), `{"file_path": "`+p+`"}`), http.StatusOK, "")
	}
	want(t, "restore", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-1", "admin"), `{"file_path": "`+rec.FilePath+`"}`), http.StatusOK, "")
	out, errOut, code := run(t, env, "purge", "--older-than", "1ns")
	if code != 0 || !strings.HasPrefix(out, "purged 1 files, ") {
		t.Errorf("purge: got %d %q %q", code, out, errOut)
	}
	if ev := a.AuditLog("org-1", "action_type=PURGE"); len(ev) != 1 || ev[0].FilePath != gone.FilePath {
		t.Errorf("PURGE events: %+v", ev)
	}
	if out, _, code := run(t, env, "reconcile"); code != 0 || !strings.HasPrefix(out, "scanned 1 blobs and 2 records: 0 orphans") {
		t.Errorf("reconcile: got %d %q", code, out)
	}
}
