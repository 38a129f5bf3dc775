package e2e

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"storagegw/adapters/postgres"
	"storagegw/domain"
)

// dripBody sends n chunks of size bytes, one every gap, then ends.
func dripBody(data []byte, size int, gap time.Duration) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for off := 0; off < len(data); off += size {
			time.Sleep(gap)
			if _, err := pw.Write(data[off:min(off+size, len(data))]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// TestTusLeaseRenewedWhileStreaming: a PATCH that streams for more than
// two leases (STORAGEGW_UPLOAD_LEASE, 3 s here) keeps its lease on the
// upload: it is renewed while the bytes flow, so another PATCH is
// refused upload_locked all along, the lease never runs longer than one
// lease from now (a replica that died would free the upload within it),
// and the slow PATCH stores all its bytes.
func TestTusLeaseRenewedWhileStreaming(t *testing.T) {
	t.Parallel()
	const lease = 3 * time.Second
	a := newAPI(t, map[string]string{"STORAGEGW_UPLOAD_LEASE": "3s"})
	member := a.Token("org-1", "member")
	loc := a.tusCreate(member, 10<<20, tusMeta("system", "workspace", "object_type", "pdf", "object_id", "slow-1", "filename", "s.pdf"))
	id := strings.TrimPrefix(loc, "/api/storage/tus/")
	data := pdfOf(14 * 64 << 10) // 14 chunks of 64 KiB, one every 500 ms: 7 s
	done := make(chan response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPatch, a.URL+loc, dripBody(data, 64<<10, 500*time.Millisecond))
		req.ContentLength = int64(len(data))
		req.Header = tusHeader("Upload-Offset", "0", "Content-Type", "application/offset+octet-stream", "Authorization", "Bearer "+member)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("slow PATCH: %v", err)
			done <- response{}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- response{Status: res.StatusCode, Header: res.Header, Body: b}
	}()
	uploads := postgres.NewTusUploads(a.Svc.DB)
	start := time.Now()
	for _, at := range []time.Duration{2 * time.Second, 4500 * time.Millisecond, 6 * time.Second} { // past one and two leases
		time.Sleep(time.Until(start.Add(at)))
		u, err := uploads.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		now, until := time.Now(), u.Data().LockUntil
		if u.LockOwner() == "" || !until.After(now) || until.After(now.Add(lease+time.Second)) {
			t.Fatalf("lease while streaming: owner %q until %v, now %v: want held, within one lease (%v) of now",
				u.LockOwner(), until, now, lease)
		}
		other := a.tusPatch(member, loc, 0, pdfOf(10))
		want(t, "PATCH while another streams", other, http.StatusConflict, "upload_locked")
	}
	r := <-done
	if r.Status != http.StatusNoContent || r.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("slow PATCH: got %d %v %s, want 204 at offset %d", r.Status, r.Header, r.Body, len(data))
	}
	head := a.Do(http.MethodHead, loc, member, nil, tusHeader())
	if head.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("HEAD after the slow PATCH: offset %q, want %d", head.Header.Get("Upload-Offset"), len(data))
	}
	if u, err := uploads.Get(context.Background(), id); err != nil || u.LockOwner() != "" {
		t.Fatalf("lease after the PATCH: %v, %v, want given back", u, err)
	}
}

// TestTusCreationHoldsItsPathByALease: while a creation-with-upload's
// body streams (longer than two leases), its path's reservation is held
// by a lease renewed with it, never more than one lease ahead (a replica
// that died mid-body frees the path within it); once the body is stored,
// the path is held for the session's lifetime, as any upload's.
func TestTusCreationHoldsItsPathByALease(t *testing.T) {
	t.Parallel()
	const lease = 3 * time.Second
	a := newAPI(t, map[string]string{"STORAGEGW_UPLOAD_LEASE": "3s"})
	member := a.Token("org-1", "member")
	data := pdfOf(14 * 64 << 10)
	done := make(chan response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/storage/tus/", dripBody(data, 64<<10, 500*time.Millisecond))
		req.ContentLength = int64(len(data))
		req.Header = tusHeader("Upload-Length", strconv.Itoa(10<<20), "Content-Type", "application/offset+octet-stream",
			"Upload-Metadata", tusMeta("system", "workspace", "object_type", "pdf", "object_id", "slow-2", "filename", "s.pdf"),
			"Authorization", "Bearer "+member)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("slow creation: %v", err)
			done <- response{}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- response{Status: res.StatusCode, Header: res.Header, Body: b}
	}()
	files := postgres.NewFileRepo(a.Svc.DB)
	path := domain.MustParseStoragePath("org-1/workspace/pdf/slow-2/s.pdf")
	start := time.Now()
	for _, at := range []time.Duration{2 * time.Second, 4500 * time.Millisecond, 6 * time.Second} {
		time.Sleep(time.Until(start.Add(at)))
		rec, err := files.Get(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		now, until := time.Now(), rec.PendingUntil()
		if rec.PendingUploadID() == "" || !until.After(now) || until.After(now.Add(lease+time.Second)) {
			t.Fatalf("reservation while the body streams: until %v, now %v: want held, within one lease (%v) of now", until, now, lease)
		}
	}
	r := <-done
	if r.Status != http.StatusCreated || r.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("slow creation: got %d %v %s, want 201 at offset %d", r.Status, r.Header, r.Body, len(data))
	}
	rec, err := files.Get(context.Background(), path)
	if err != nil || !rec.PendingUntil().After(time.Now().Add(time.Hour)) {
		t.Fatalf("reservation after the creation: %v, %v, want held for the session's lifetime", rec, err)
	}
}
