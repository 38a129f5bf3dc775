package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// claimLease is the multipart claim lease of the takeover test (the
// shortest the configuration allows).
const claimLease = 30 * time.Second

// TestProcessReplicasCompleteTakeover: two replicas, as processes, on one
// PostgreSQL database and one bucket. Replica A claims a multipart
// complete and is killed with SIGKILL while it talks to the store (its
// link to the store hangs); replica B answers a retry 409 upload_closing
// while A's claim holds and, once the claim lease lapsed, takes the
// upload over and commits it: one record whose content reads back whole,
// one successful UPLOAD event (and one failed event per refused retry),
// nothing left in the store, the database or for the clean-up.
func TestProcessReplicasCompleteTakeover(t *testing.T) {
	t.Parallel()
	b := postgresS3Backend(t)
	proxy := newSwitchProxy(t, b.s3.Endpoint)
	shared := b.with(map[string]string{"STORAGEGW_DATA_DIR": t.TempDir(), // the replicas' keys
		"STORAGEGW_MULTIPART_CLAIM_LEASE": claimLease.String(), "STORAGEGW_MULTIPART_PART_SIZE_MIB": "5",
		"STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"})
	envA := map[string]string{"SPACES_ENDPOINT": proxy.addr(), "SPACES_REQUEST_TIMEOUT": "2m", "SPACES_OPERATION_TIMEOUT": "2m"}
	for k, v := range shared {
		if _, ok := envA[k]; !ok {
			envA[k] = v
		}
	}
	pa := e2etest.StartProcess(t, envA)
	pb := e2etest.StartProcess(t, shared)
	ra, rb := &api{pa.API}, &api{pb.API}
	db := openDB(t, pb)
	member := rb.Token("org-1", "member")

	data := pngOf(6 << 20)
	s := rb.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "big.png"`, len(data))
	parts := rb.putParts(rb.partURLs(member, s), s.PartSize, data)
	body, _ := json.Marshal(map[string]any{"upload_id": s.UploadID, "parts": parts})

	// A claims the complete, then hangs on the store.
	proxy.set("hang")
	onA := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, ra.URL+"/api/storage/multipart/complete", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+member)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			err = fmt.Errorf("answered %d", res.StatusCode)
		}
		onA <- err
	}()
	waitFor(t, "replica A's claim", 20*time.Second, func() bool {
		var n int
		if err := db.QueryRowContext(context.Background(),
			"SELECT count(*) FROM upload_sessions WHERE state = 'completing' AND claimed_until IS NOT NULL").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
	claimed := time.Now()
	complete := func() response {
		return rb.SendJSON(http.MethodPost, "/api/storage/multipart/complete", member, string(body))
	}
	refused := 0
	want(t, "complete on B while A holds the claim", complete(), http.StatusConflict, "upload_closing")
	refused++
	pa.Kill9()
	killed := time.Now()
	if err := <-onA; err == nil || strings.HasPrefix(err.Error(), "answered") {
		t.Errorf("the complete on the killed replica: %v, want a broken connection", err)
	}

	// B refuses until the claim lapses, then takes over.
	var done response
	for {
		r := complete()
		if r.Status == http.StatusCreated {
			done = r
			break
		}
		if r.Status != http.StatusConflict || r.Code() != "upload_closing" {
			t.Fatalf("complete on B after the kill: got %d %s, want 409 upload_closing or 201", r.Status, r.Body)
		}
		refused++
		if time.Since(claimed) > claimLease+15*time.Second {
			t.Fatalf("complete on B still refused %v after A's claim; the claim lease is %v", time.Since(claimed), claimLease)
		}
		time.Sleep(500 * time.Millisecond)
	}
	took := time.Since(claimed)
	faultFigure(t, b.name, "kill -9 mid-complete (2 replicas)", "takeover on B (201)", time.Since(killed),
		fmt.Sprintf("%v after A's claim; B got %d × 409 upload_closing first", took.Round(time.Millisecond), refused))
	if took < claimLease-time.Second || took > claimLease+5*time.Second {
		t.Errorf("B took the complete over %v after A's claim; want about the claim lease, %v", took, claimLease)
	}

	var rec record
	done.JSON(t, &rec)
	if rec.SizeBytes != int64(len(data)) || rec.SHA256 != sha(data) {
		t.Errorf("record: %d bytes, sha256 %s; want %d, %s", rec.SizeBytes, rec.SHA256, len(data), sha(data))
	}
	readBack(t, rb, "org-1", rec.FilePath, sha(data))
	var list struct{ Items []record }
	rb.Get("/api/storage/files?prefix=workspace/doc/d1/", rb.Token("org-1", "viewer")).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("records of d1: got %d, want 1", len(list.Items))
	}
	events := uploadEvents(t, rb, "org-1")
	if got := events[rec.FilePath]; got != [2]int{1, refused} || len(events) != 1 {
		t.Errorf("UPLOAD events: got %v, want one success and %d failures for %s", events, refused, rec.FilePath)
	}
	if keys := b.s3.Keys(t, b.bucket); len(keys) != 1 || !strings.HasPrefix(keys[0], rec.FilePath+"/") {
		t.Errorf("bucket keys: got %v, want one under %s/", keys, rec.FilePath)
	}
	if got := b.storeUploads(t); got != 0 {
		t.Errorf("store multipart uploads left: %d", got)
	}
	var sessions int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM upload_sessions").Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != 0 || pendingRows(t, db) != 0 {
		t.Errorf("left in the database: %d sessions, %d pending rows; want none", sessions, pendingRows(t, db))
	}
	if res := pb.Run(nil, "cleanup-uploads"); res.Code != 0 || !strings.HasPrefix(res.Stdout, "cleaned up 0 expired sessions, 0 lapsed reservations, 0 leftover store uploads") {
		t.Errorf("cleanup-uploads after the takeover: %s, want nothing to do", res)
	}
	if res := pb.Run(nil, "audit", "verify"); res.Code != 0 {
		t.Errorf("audit verify: %s", res)
	}
}
