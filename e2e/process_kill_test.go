package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// killLease is the upload lease of the kill tests: a cut upload's path is
// free again at most this long after its last renewal.
const killLease = 3 * time.Second

// TestProcessKill9MidUploadSQLite and …PostgresS3: storagegw serve runs as
// a process under a little load (uploads finishing, uploads held open
// mid-body) and is killed with SIGKILL, restarted and killed again, a few
// times. Every acknowledged upload reads back whole with its sha256 and
// has exactly one UPLOAD event; an upload whose answer the kill swallowed
// is either not there or whole, with one event; a cut upload's path
// answers 409 upload_in_progress until its lease lapses and then takes a
// retry; after one cleanup-uploads past the lease no pending row, temp
// file or store multipart upload is left, reconcile finds no orphan and
// audit verify passes.
func TestProcessKill9MidUploadSQLite(t *testing.T) {
	t.Parallel()
	testKill9MidUpload(t, sqliteBackend(t))
}

func TestProcessKill9MidUploadPostgresS3(t *testing.T) {
	t.Parallel()
	testKill9MidUpload(t, postgresS3Backend(t))
}

// killRounds is how many times the kill tests kill the gateway.
const killRounds = 3

func testKill9MidUpload(t *testing.T, b procBackend) {
	p := e2etest.StartProcess(t, b.with(map[string]string{"STORAGEGW_UPLOAD_LEASE": killLease.String(),
		"STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"}))
	a := &api{p.API}
	db := openDB(t, p)
	const org = "org-1"
	member := a.Token(org, "member")
	acked := map[string]string{}   // path → sha256 of uploads answered 201
	unknown := map[string]string{} // path → sha256 of uploads whose answer the kill swallowed
	retried := map[string]int{}    // cut path → 409s its retry got before it succeeded
	const heldPerRound = 3
	var lastKill time.Time
	upload := func(id, name string, n int) (string, string, response, error) {
		data := pngOf(n)
		r, err := tryUpload(a.URL, member, id, name, data)
		return org + "/workspace/doc/" + id + "/" + name, sha(data), r, err
	}

	for round := range killRounds {
		// Uploads that finish before the kill.
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				path, sum, r, err := upload(fmt.Sprintf("ok-%d-%d", round, i), "a.png", 40_000+i)
				if err != nil || r.Status != http.StatusCreated {
					t.Errorf("upload %s before the kill: %v %d %s", path, err, r.Status, r.Body)
					return
				}
				mu.Lock()
				acked[path] = sum
				mu.Unlock()
			})
		}
		wg.Wait()
		// Uploads held open mid-body: each holds its reservation. (The
		// reservations of earlier rounds' cut uploads that were not retried
		// are still there: nothing cleaned up yet.)
		before := pendingRows(t, db)
		held := make([]*heldUpload, heldPerRound)
		for i := range held {
			held[i] = holdUpload(a.URL, member, org, fmt.Sprintf("cut-%d-%d", round, i), b.held)
		}
		waitCount(t, "the held uploads' reservations", before+heldPerRound, false, func() int { return pendingRows(t, db) })
		if b.s3 != nil { // each has started its store multipart upload
			waitCount(t, "the held uploads' store uploads", heldPerRound*(round+1), true, func() int { return b.storeUploads(t) })
		}
		// Uploads racing the kill: answered or not.
		for i := range 4 {
			wg.Go(func() {
				path, sum, r, err := upload(fmt.Sprintf("race-%d-%d", round, i), "a.png", 1000+i*150_000)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && r.Status == http.StatusCreated:
					acked[path] = sum
				case err != nil:
					unknown[path] = sum
				default:
					t.Errorf("upload %s racing the kill: got %d %s", path, r.Status, r.Body)
				}
			})
		}
		time.Sleep(time.Duration(10+round*20) * time.Millisecond)
		p.Kill9()
		killed := time.Now()
		lastKill = killed
		wg.Wait()
		for _, h := range held {
			if r := h.wait(t, 5*time.Second); r.err == nil {
				t.Errorf("held upload %s after the kill: got %d %s, want the connection broken", h.path, r.status, r.body)
			}
		}
		faultFigure(t, b.name, "kill -9 mid-upload", "failure answer", time.Since(killed), "held uploads: connection broken")
		t.Logf("round %d after the kill: %d pending rows, %d temp files, %d store uploads", round,
			pendingRows(t, db), tempFiles(t, p), b.storeUploads(t))

		p.Restart()
		ready := time.Since(killed)
		faultFigure(t, b.name, "kill -9 mid-upload", "ready again (restart)", ready, "")
		// The first cut path: blocked until its lease lapses, then free.
		cut := held[0].path
		id := strings.Split(cut, "/")[3]
		for {
			_, sum, r, err := upload(id, "held.png", 1000)
			if err != nil {
				t.Fatalf("retry of %s: %v", cut, err)
			}
			if r.Status == http.StatusCreated {
				acked[cut] = sum
				break
			}
			if r.Status != http.StatusConflict || r.Code() != "upload_in_progress" {
				t.Fatalf("retry of %s: got %d %s, want 409 upload_in_progress or 201", cut, r.Status, r.Body)
			}
			retried[cut]++
			if time.Since(killed) > killLease+10*time.Second {
				t.Fatalf("%s still blocked %v after the kill; the lease is %v", cut, time.Since(killed), killLease)
			}
			time.Sleep(100 * time.Millisecond)
		}
		free := time.Since(killed)
		faultFigure(t, b.name, "kill -9 mid-upload", "cut path free (retry 201)", free,
			fmt.Sprintf("retry got %d × 409 upload_in_progress, then 201", retried[cut]))
		// Free within the lease, or at once if the restart took longer.
		if limit := max(killLease, ready) + 2*time.Second; free > limit {
			t.Errorf("the cut path was free %v after the kill (ready after %v); want within the lease %v and a margin", free, ready, killLease)
		}
	}

	// One clean-up, once every lease has lapsed (no renewal since the last
	// kill), takes every leftover.
	time.Sleep(time.Until(lastKill.Add(killLease + 500*time.Millisecond)))
	pending := pendingRows(t, db)
	res := p.Run(nil, "cleanup-uploads")
	if res.Code != 0 {
		t.Fatalf("cleanup-uploads: %s", res)
	}
	n := counts(t, cleanupLine, res.Stdout)
	t.Logf("cleanup-uploads after %d kills: %s", killRounds, strings.TrimSpace(res.Stdout))
	// The held uploads not retried leave their reservations, and so may
	// the uploads racing the kill; on S3 every held upload leaves its store
	// multipart upload (a retry's takeover does not know it); on local disk
	// the restart swept the temp files.
	if n[1] != pending || pending < killRounds*(heldPerRound-1) {
		t.Errorf("lapsed reservations released: got %d of %d pending rows, want all, at least %d", n[1], pending,
			killRounds*(heldPerRound-1))
	}
	if wantStore := killRounds * heldPerRound; b.s3 != nil && n[2] != wantStore {
		t.Errorf("leftover store uploads aborted: got %d, want %d", n[2], wantStore)
	}
	if n[5] != 0 {
		t.Errorf("cleanup-uploads failures: %d", n[5])
	}
	if got := pendingRows(t, db); got != 0 {
		t.Errorf("pending rows after the clean-up: %d, want 0", got)
	}
	if got := tempFiles(t, p); got != 0 {
		t.Errorf("temp files after the clean-up: %d, want 0", got)
	}
	if got := b.storeUploads(t); got != 0 {
		t.Errorf("store multipart uploads after the clean-up: %d, want 0", got)
	}
	if res := p.Run(nil, "cleanup-uploads"); res.Code != 0 || counts(t, cleanupLine, res.Stdout)[1] != 0 {
		t.Errorf("a second clean-up: %s, want nothing left to do", res)
	}

	// What was acknowledged is there, whole, with one event; what the
	// kill swallowed is all there or not at all.
	events := uploadEvents(t, a, org)
	for path, sum := range acked {
		readBack(t, a, org, path, sum)
		wantFailed := retried[path]
		if got := events[path]; got != [2]int{1, wantFailed} {
			t.Errorf("UPLOAD events of acknowledged %s: got %d successes and %d failures, want 1 and %d", path, got[0], got[1], wantFailed)
		}
	}
	committed := 0
	for path, sum := range unknown {
		r := a.Get("/api/storage/metadata/"+path, member)
		switch r.Status {
		case http.StatusOK:
			committed++
			readBack(t, a, org, path, sum)
			if got := events[path]; got != [2]int{1, 0} {
				t.Errorf("UPLOAD events of %s (committed, answer lost): got %v, want one success", path, got)
			}
		case http.StatusNotFound:
			if got := events[path]; got != [2]int{} {
				t.Errorf("UPLOAD events of %s (not committed): got %v, want none", path, got)
			}
		default:
			t.Errorf("metadata of %s: got %d %s", path, r.Status, r.Body)
		}
	}
	t.Logf("%d acknowledged uploads read back; of %d whose answer the kill swallowed, %d were committed", len(acked), len(unknown), committed)

	res = p.Run(nil, "reconcile")
	if res.Code != 0 || !strings.Contains(res.Stdout, " 0 orphans") {
		t.Errorf("reconcile after the kills: %s, want no orphan", res)
	}
	if res := p.Run(nil, "audit", "verify"); res.Code != 0 {
		t.Errorf("audit verify: %s", res)
	}
}
