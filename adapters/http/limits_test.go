package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// blockedUpload starts an upload to path whose file part never ends until
// release is called; it returns once the handler is reading the file.
func blockedUpload(t *testing.T, h *harness, tok string) (release func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	done := make(chan int, 1)
	go func() { done <- h.do(req, tok).Code }()
	for _, kv := range [][2]string{{"system", "communications"}, {"object_type", "email-attachment"}, {"object_id", "m1"}} {
		mw.WriteField(kv[0], kv[1])
	}
	fw, _ := mw.CreateFormFile("file", "a.bin")
	fw.Write(bytes.Repeat([]byte("x"), 4096)) // blocks until the handler reads
	return func() int {
		mw.Close()
		pw.Close()
		return <-done
	}
}

func smallUpload(t *testing.T, h *harness, tok, objectID string) *httptest.ResponseRecorder {
	return smallUploadOf(t, h, tok, objectID, []byte("hello"))
}

func smallUploadOf(t *testing.T, h *harness, tok, objectID string, content []byte) *httptest.ResponseRecorder {
	return h.upload(t, "/api/storage/upload", tok, field("system", "communications"),
		field("object_type", "email-attachment"), field("object_id", objectID), file("b.txt", content))
}

// TestUploadsAreShedPerOrg: past the per-org bound an upload is refused
// with 429 and Retry-After before its body is read; another org still
// uploads; the slot is free again once the upload ends.
func TestUploadsAreShedPerOrg(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	h := newHarness(t, func(o *Options) {
		o.Limits = Limits{MaxUploads: 10, MaxUploadsPerOrg: 1, RetryAfter: 3 * time.Second}
		o.Observer = obs
	})
	tok1, tok2 := token(t, "org-1", "member"), token(t, "org-2", "member")
	release := blockedUpload(t, h, tok1)

	rec := smallUpload(t, h, tok1, "m2")
	if got := errorCode(t, rec, http.StatusTooManyRequests); got != codeBusyUploads {
		t.Errorf("second upload of org-1: got code %q, want %s", got, codeBusyUploads)
	}
	if got := rec.Header().Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After: got %q, want 3", got)
	}
	if rec := smallUpload(t, h, tok2, "m3"); rec.Code != http.StatusCreated {
		t.Errorf("org-2 while org-1 is at its bound: got %d %s, want 201", rec.Code, rec.Body)
	}
	if code := release(); code != http.StatusCreated {
		t.Errorf("the held upload: got %d, want 201", code)
	}
	if rec := smallUpload(t, h, tok1, "m4"); rec.Code != http.StatusCreated {
		t.Errorf("org-1 after its upload ended: got %d %s, want 201", rec.Code, rec.Body)
	}
	if got := obs.sheds(); len(got) != 1 || got[0] != "uploads" {
		t.Errorf("observer heard %v, want one uploads", got)
	}
}

// TestRequestsInFlightAreShed: past MaxInFlight the API answers 429 while
// health, readiness and metrics are still served.
func TestRequestsInFlightAreShed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.Limits = Limits{MaxInFlight: 1} })
	tok := token(t, "org-1", "member")
	release := blockedUpload(t, h, tok)
	rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/files", nil), tok)
	if got := errorCode(t, rec, http.StatusTooManyRequests); got != codeBusy {
		t.Errorf("list while full: got code %q, want %s", got, codeBusy)
	}
	if rec.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After: got %q, want the default 1", rec.Header().Get("Retry-After"))
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if rec := h.do(httptest.NewRequest(http.MethodGet, path, nil), ""); rec.Code == http.StatusTooManyRequests {
			t.Errorf("%s while full: got 429, want it served", path)
		}
	}
	if code := release(); code != http.StatusCreated {
		t.Errorf("the held upload: got %d, want 201", code)
	}
	if rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/files", nil), tok); rec.Code != http.StatusOK {
		t.Errorf("list after: got %d, want 200", rec.Code)
	}
}

// TestSlowBodiesAreCut: over a real connection, a body that trickles, and
// one that stops, are cut with 408 body_too_slow within about a window,
// and the failed upload is audited; a body at speed is not.
func TestSlowBodiesAreCut(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	h := newHarness(t, func(o *Options) {
		// With a write deadline too: its writer wrapper must still let the
		// floor reach the connection.
		o.Limits = Limits{MinBodyRate: 64 << 10, BodyRateWindow: 300 * time.Millisecond, WriteTimeout: 5 * time.Second}
		o.Observer = obs
	})
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Timeout = 10 * time.Second // a body that is never cut fails the test, not the run
	tok := token(t, "org-1", "member")
	send := func(objectID string, trickle func(w io.Writer)) (*http.Response, time.Duration) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			for _, kv := range [][2]string{{"system", "communications"}, {"object_type", "email-attachment"}, {"object_id", objectID}} {
				mw.WriteField(kv[0], kv[1])
			}
			fw, _ := mw.CreateFormFile("file", "a.bin")
			trickle(fw)
			mw.Close()
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/storage/upload", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", objectID, err)
		}
		t.Cleanup(func() { resp.Body.Close(); pw.CloseWithError(io.ErrClosedPipe) })
		return resp, time.Since(start)
	}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	cases := []struct {
		name    string
		trickle func(w io.Writer)
	}{
		{"trickle", func(w io.Writer) {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if _, err := w.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}},
		{"silence", func(w io.Writer) { w.Write([]byte("x")); <-stop }},
	}
	for _, tc := range cases {
		resp, took := send("slow-"+tc.name, tc.trickle)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), codeBodyTooSlow) {
			t.Errorf("%s: got %d %s, want 408 %s", tc.name, resp.StatusCode, body, codeBodyTooSlow)
		}
		if took > 2*time.Second {
			t.Errorf("%s: cut after %v, want about one window", tc.name, took)
		}
	}
	resp, _ := send("fast", func(w io.Writer) { w.Write(bytes.Repeat([]byte("y"), 1<<20)) })
	if resp.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(resp.Body)
		t.Errorf("a body at speed: got %d %s, want 201", resp.StatusCode, body)
	}
	var failed int
	for _, e := range h.audit.Events() {
		if !e.Success() && strings.Contains(e.Data().ErrorMessage, "slower than") {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("audit: got %d failed uploads for a slow body, want 2", failed)
	}
	if got := obs.sheds(); len(got) != 2 {
		t.Errorf("observer heard %v, want two slow_body", got)
	}
}

// TestSlowDownloadsAreCut: a client that takes a file slower than the
// floor (here: not at all) has its download cut within about two windows,
// instead of holding the connection and the open file.
func TestSlowDownloadsAreCut(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	h := newHarness(t, func(o *Options) {
		o.Limits = Limits{MinBodyRate: 64 << 10, BodyRateWindow: 300 * time.Millisecond}
		o.Observer = obs
	})
	tok := token(t, "org-1", "member")
	big := bytes.Repeat([]byte("z"), 32<<20)
	rec := smallUploadOf(t, h, tok, "big", big)
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	up := decode[struct {
		FilePath string `json:"file_path"`
	}](t, rec)
	signed := h.doJSON(t, http.MethodPost, "/api/storage/signed-url", `{"file_path":"`+up.FilePath+`"}`, tok)
	su := decode[struct {
		URL string `json:"url"`
	}](t, signed)
	u, err := url.Parse(su.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", u.RequestURI())
	// Read nothing: the server's writes block once the buffers are full.
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(obs.sheds(), "slow_download") {
		if time.Now().After(deadline) {
			t.Fatalf("a download nobody takes was not cut within 5s; observer heard %v", obs.sheds())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWriteDeadlineArmsOnce: the write deadline of an answer starts with
// its first byte, once.
func TestWriteDeadlineArmsOnce(t *testing.T) {
	t.Parallel()
	var armed int
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	w := &deadlineWriter{ResponseWriter: c.Writer, arm: func() { armed++ }}
	if armed != 0 {
		t.Fatal("armed before the answer started")
	}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("a"))
	w.WriteString("b")
	if armed != 1 {
		t.Errorf("armed %d times, want once", armed)
	}
}

// TestCancelledBodyStopsAtOnce: an upload whose body has stalled (well
// within the floor's window) stops reading as soon as its request is
// cancelled with ErrShuttingDown, as serve's shutdown does, and answers
// 503 shutting_down, audited.
func TestCancelledBodyStopsAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) {
		o.Limits = Limits{MinBodyRate: 1, BodyRateWindow: time.Minute}
	})
	base, cut := context.WithCancelCause(context.Background())
	defer cut(nil)
	srv := httptest.NewUnstartedServer(h.h)
	srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	srv.Start()
	t.Cleanup(srv.Close)
	pr, pw := io.Pipe()
	defer pw.Close()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, kv := range [][2]string{{"system", "communications"}, {"object_type", "email-attachment"}, {"object_id", "cut"}} {
			mw.WriteField(kv[0], kv[1])
		}
		fw, _ := mw.CreateFormFile("file", "a.bin")
		fw.Write([]byte("x")) // then silence
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/storage/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token(t, "org-1", "member"))
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{status: resp.StatusCode, body: string(b)}
	}()
	time.Sleep(300 * time.Millisecond) // the handler waits for the body
	start := time.Now()
	cut(ErrShuttingDown)
	select {
	case r := <-done:
		if r.err != nil || r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, codeShuttingDown) {
			t.Errorf("cut upload: got %d %s %v, want 503 %s", r.status, r.body, r.err, codeShuttingDown)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("cut upload answered %v after the cut, want at once", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cut upload never answered")
	}
	var failed int
	for _, e := range h.audit.Events() {
		if !e.Success() && strings.Contains(e.Data().ErrorMessage, "shutting down") {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("audit: got %d failed uploads for the cut, want 1", failed)
	}
}
