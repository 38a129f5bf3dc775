package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// jobRuns is how many clean-up or purge processes run at once.
const jobRuns = 4

// TestProcessConcurrentCleanupSQLite and …PostgresS3: a gateway killed
// with SIGKILL in the middle of several uploads leaves their reservations
// (and, on S3, their store multipart uploads); cleanup-uploads processes
// started at once on the same database and store release each
// reservation once (the counts of all runs sum to the items) and abort
// every store upload (counted once unless two runs' aborts overlap), every
// run exits 0, and nothing is left.
func TestProcessConcurrentCleanupSQLite(t *testing.T) {
	t.Parallel()
	testConcurrentCleanup(t, sqliteBackend(t))
}

func TestProcessConcurrentCleanupPostgresS3(t *testing.T) {
	t.Parallel()
	testConcurrentCleanup(t, postgresS3Backend(t))
}

func testConcurrentCleanup(t *testing.T, b procBackend) {
	p := e2etest.StartProcess(t, b.with(map[string]string{"STORAGEGW_UPLOAD_LEASE": killLease.String(),
		"STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"}))
	db := openDB(t, p)
	const items = 12
	for i := range items {
		org := fmt.Sprintf("org-%d", i%3) // at most 16 uploads per org at once
		holdUpload(p.URL, p.Token(org, "member"), org, fmt.Sprintf("cut-%d", i), b.held)
	}
	waitCount(t, "the held uploads' reservations", items, false, func() int { return pendingRows(t, db) })
	if b.s3 != nil {
		waitCount(t, "the held uploads' store uploads", items, false, func() int { return b.storeUploads(t) })
	}
	p.Kill9()
	time.Sleep(killLease + 500*time.Millisecond)

	results := make([]e2etest.Result, jobRuns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range results {
		wg.Go(func() { results[i] = p.Run(nil, "cleanup-uploads") })
	}
	wg.Wait()
	took := time.Since(start)
	var reservations, storeUploads int
	for _, r := range results {
		if r.Code != 0 {
			t.Errorf("concurrent cleanup-uploads: %s", r)
			continue
		}
		n := counts(t, cleanupLine, r.Stdout)
		reservations, storeUploads = reservations+n[1], storeUploads+n[2]
		if n[5] != 0 {
			t.Errorf("concurrent cleanup-uploads failures: %s", r)
		}
	}
	t.Logf("%d concurrent cleanup-uploads in %v: %d reservations, %d store uploads in all", jobRuns,
		took.Round(time.Millisecond), reservations, storeUploads)
	if reservations != items {
		t.Errorf("lapsed reservations released, all runs together: %d, want %d (each once)", reservations, items)
	}
	// One run at a time sweeps the store (S3 answers two aborts of one
	// upload both with success, so two sweeping runs would both count it).
	switch {
	case b.s3 == nil && storeUploads != 0:
		t.Errorf("store uploads aborted on local disk: %d, want 0", storeUploads)
	case b.s3 != nil && storeUploads != items:
		t.Errorf("store uploads aborted, all runs together: %d, want %d (each once)", storeUploads, items)
	}
	if got := pendingRows(t, db); got != 0 {
		t.Errorf("pending rows left: %d", got)
	}
	if got := b.storeUploads(t); got != 0 {
		t.Errorf("store multipart uploads left: %d", got)
	}
	if got := tempFiles(t, p); got != 0 {
		t.Errorf("temp files left: %d", got)
	}
}

// TestProcessConcurrentPurgeSQLite and …PostgresS3: purge processes
// started at once over the same soft-deleted files purge each once: the
// counts sum to the files, every run exits 0, each file has one PURGE
// event and its blob is gone.
func TestProcessConcurrentPurgeSQLite(t *testing.T) {
	t.Parallel()
	testConcurrentPurge(t, sqliteBackend(t))
}

func TestProcessConcurrentPurgePostgresS3(t *testing.T) {
	t.Parallel()
	testConcurrentPurge(t, postgresS3Backend(t))
}

func testConcurrentPurge(t *testing.T, b procBackend) {
	p := e2etest.StartProcess(t, b.with(nil))
	a := &api{p.API}
	const org, files = "org-1", 24
	member := a.Token(org, "member")
	paths := map[string]bool{}
	for i := range files {
		rec := a.UploadDoc(org, fmt.Sprintf("d%d", i), "a.png", pngOf(100+i))
		want(t, "delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"file_path": "`+rec.FilePath+`"}`),
			http.StatusOK, "")
		paths[rec.FilePath] = true
	}
	kept := a.UploadDoc(org, "kept", "a.png", pngOf(10))

	results := make([]e2etest.Result, jobRuns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range results {
		wg.Go(func() { results[i] = p.Run(nil, "purge", "--older-than", "1ns", "--batch", "3") })
	}
	wg.Wait()
	took := time.Since(start)
	purged := 0
	for _, r := range results {
		if r.Code != 0 {
			t.Errorf("concurrent purge: %s", r)
			continue
		}
		purged += counts(t, purgeLine, r.Stdout)[0]
	}
	t.Logf("%d concurrent purges in %v: %d files purged in all", jobRuns, took.Round(time.Millisecond), purged)
	if purged != files {
		t.Errorf("files purged, all runs together: %d, want %d (each once)", purged, files)
	}
	events := map[string]int{}
	for _, e := range a.AuditLog(org, "action_type=PURGE") {
		events[e.FilePath]++
	}
	for path := range paths {
		if events[path] != 1 {
			t.Errorf("PURGE events of %s: %d, want 1", path, events[path])
		}
	}
	if len(events) != files {
		t.Errorf("PURGE events name %d paths, want %d", len(events), files)
	}
	if r := p.Run(nil, "reconcile"); r.Code != 0 || !containsAll(r.Stdout, "scanned 1 blobs", " 0 orphans", " 0 missing") {
		t.Errorf("reconcile after the purges: %s, want the one kept blob and nothing else", r)
	}
	readBack(t, a, org, kept.FilePath, kept.SHA256)
	if r := p.Run(nil, "audit", "verify"); r.Code != 0 {
		t.Errorf("audit verify: %s", r)
	}
}
