package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// TestProcessSIGTERMCutsTusPatch: SIGTERM reaches a storagegw process
// while a TUS PATCH streams and does not finish within the shutdown
// timeout. The PATCH answers 503 shutting_down, the process exits 0
// within the timeout and a margin, and after a restart the upload resumes
// from the offset a HEAD reports: the rest completes it, bytes equal.
func TestProcessSIGTERMCutsTusPatch(t *testing.T) {
	t.Parallel()
	b := sqliteBackend(t)
	p := e2etest.StartProcess(t, b.with(map[string]string{"STORAGEGW_SHUTDOWN_TIMEOUT": termTimeout.String(),
		"STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"}))
	a := &api{p.API}
	member := a.Token("org-1", "member")
	const size = 12 << 20
	data := make([]byte, size)
	_, _ = rand.Read(data)
	copy(data, "%PDF-1.7\n")

	meta := func(k, v string) string { return k + " " + base64.StdEncoding.EncodeToString([]byte(v)) }
	create := a.Do(http.MethodPost, "/api/storage/tus/", member, nil, http.Header{
		"Tus-Resumable": {"1.0.0"}, "Upload-Length": {strconv.Itoa(size)},
		"Upload-Metadata": {strings.Join([]string{meta("system", "workspace"), meta("object_type", "pdf"),
			meta("object_id", "tus-term"), meta("filename", "held.pdf")}, ",")}})
	want(t, "TUS creation", create, http.StatusCreated, "")
	loc := create.Header.Get("Location")
	if i := strings.Index(loc, "/api/storage/tus/"); i >= 0 {
		loc = loc[i:]
	}

	// A PATCH that sends 6 MiB, then trickles.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPatch, a.URL+loc, pr)
	req.Header.Set("Authorization", "Bearer "+member)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	h := &heldUpload{path: "tus " + loc, pw: pw, res: make(chan heldResult, 1)}
	go h.send(req, pr)
	go func() {
		if _, err := pw.Write(data[:6<<20]); err != nil {
			return
		}
		for off := 6 << 20; off < size-4096; off += 4096 {
			time.Sleep(50 * time.Millisecond)
			if _, err := pw.Write(data[off : off+4096]); err != nil {
				return
			}
		}
	}()
	time.Sleep(time.Second) // the PATCH is streaming

	took, code := p.Terminate(termTimeout + 20*time.Second)
	faultFigure(t, b.name, "SIGTERM with a TUS PATCH in flight", "process exited", took, fmt.Sprintf("exit status %d", code))
	if code != 0 {
		t.Errorf("storagegw serve after SIGTERM: exit status %d, want 0", code)
	}
	if limit := termTimeout + 5*time.Second; took > limit {
		t.Errorf("storagegw serve took %v to exit after SIGTERM; want within %v", took, limit)
	}
	if r := h.wait(t, 5*time.Second); r.err == nil &&
		(r.status != http.StatusServiceUnavailable || !bytes.Contains(r.body, []byte(`"shutting_down"`))) {
		t.Errorf("cut PATCH: got %d %s, want 503 shutting_down", r.status, r.body)
	}
	if logged := p.LogLines(`"route":"/api/storage/tus/:id"`, `"status":503`, `"error_code":"shutting_down"`); len(logged) != 1 {
		t.Errorf("the cut PATCH answered 503 shutting_down: %d logged, want 1", len(logged))
	}

	p.Restart()
	tusHeaders := http.Header{"Tus-Resumable": {"1.0.0"}}
	head := a.Do(http.MethodHead, loc, member, nil, tusHeaders)
	want(t, "HEAD after the restart", head, http.StatusOK, "")
	offset, err := strconv.Atoi(head.Header.Get("Upload-Offset"))
	if err != nil || offset < 0 || offset > 6<<20+size/2 {
		t.Fatalf("Upload-Offset after the restart: %q", head.Header.Get("Upload-Offset"))
	}
	rest := a.Do(http.MethodPatch, loc, member, bytes.NewReader(data[offset:]), http.Header{
		"Tus-Resumable": {"1.0.0"}, "Upload-Offset": {strconv.Itoa(offset)},
		"Content-Type": {"application/offset+octet-stream"}})
	want(t, "the rest after the restart", rest, http.StatusNoContent, "")
	path := rest.Header.Get("Storage-File-Path")
	faultFigure(t, b.name, "SIGTERM with a TUS PATCH in flight", "resumed after restart", 0,
		fmt.Sprintf("offset %d of %d kept, completed as %s", offset, size, path))
	sum := sha256.Sum256(data)
	readBack(t, a, "org-1", path, hex.EncodeToString(sum[:]))
}
