package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestAPILoadShedding: the configured bounds reach the service. With one
// upload per org, a second upload of the org is 429 too_many_uploads with
// Retry-After before its body is read, and the org can upload again once
// the first ends; a body slower than the floor is cut with 408.
func TestAPILoadShedding(t *testing.T) {
	t.Parallel()
	a := newAPI(t, map[string]string{"STORAGEGW_MAX_UPLOADS_PER_ORG": "1", "STORAGEGW_RETRY_AFTER": "2s",
		"STORAGEGW_MIN_BODY_RATE_KIB": "64", "STORAGEGW_BODY_RATE_WINDOW": "1s"})
	member := a.Token("org-1", "member")

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, err := http.NewRequest(http.MethodPost, a.URL+"/api/storage/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+member)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	held := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("held upload: %v", err)
			held <- nil
			return
		}
		held <- resp
	}()
	for _, kv := range [][2]string{{"system", "communications"}, {"object_type", "email-attachment"}, {"object_id", "held"}} {
		mw.WriteField(kv[0], kv[1])
	}
	fw, _ := mw.CreateFormFile("file", "a.bin")
	fw.Write(bytes.Repeat([]byte("x"), 64<<10)) // the handler is reading the file now

	// The held upload may not have reached the server yet (its bytes can
	// sit in the socket's buffers): until it holds the org's slot, a second
	// upload takes the slot itself and is stored.
	var r response
	for i, deadline := 0, time.Now().Add(5*time.Second); ; i++ {
		r = a.Upload("/api/storage/upload", member, [][2]string{{"system", "communications"},
			{"object_type", "email-attachment"}, {"object_id", "second-" + strconv.Itoa(i)}}, "b.txt", []byte("hello"))
		if r.Status != http.StatusCreated || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want(t, "a second upload of the org", r, http.StatusTooManyRequests, "too_many_uploads")
	if got := r.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After: got %q, want 2", got)
	}

	// The held body now stalls: the floor cuts it within about two windows.
	start := time.Now()
	resp := <-held
	if resp == nil {
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pw.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !bytes.Contains(body, []byte("body_too_slow")) {
		t.Errorf("stalled upload: got %d %s, want 408 body_too_slow", resp.StatusCode, body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("stalled upload cut after %v, want about two windows", took)
	}
	r = a.Upload("/api/storage/upload", member, [][2]string{{"system", "communications"},
		{"object_type", "email-attachment"}, {"object_id", "third"}}, "c.txt", []byte("hello"))
	want(t, "an upload once the slot is free", r, http.StatusCreated, "")
	if failed := a.AuditLog("org-1", "action_type=UPLOAD&success=false"); len(failed) != 1 {
		t.Errorf("failed UPLOAD events: got %d, want 1 (the cut one; the shed one reached no use case)", len(failed))
	}
}
