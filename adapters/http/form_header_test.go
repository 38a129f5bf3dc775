package httpapi

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// formBoundaryForTests is the boundary of the hand-written forms below.
const formBoundaryForTests = "b0undary"

// hugeHeader is a form whose part (after the fields in prefix) starts a
// header, then sends filler for ever, counting what the server reads.
func hugeHeader(prefix string, filler byte) *endlessBody {
	head := prefix + "--" + formBoundaryForTests + "\r\nContent-Disposition: form-data; name=\"object_id\"\r\nX-Pad: "
	b := &endlessBody{head: []byte(head)}
	if filler == '\n' { // many short header lines instead of one long one
		b.head = []byte(prefix + "--" + formBoundaryForTests + "\r\n" + strings.Repeat("X-A: b\r\n", 1<<20))
	}
	return b
}

// multipartBuffer is what the multipart reader may have read of a part's header
// while it read the content before it: its buffer.
const multipartBuffer = 4 << 10

// TestFormPartHeaderIsBounded: a part header past maxPartHeaderBytes is
// 413 form_header_too_large after the server read at most
// partHeaderBudget bytes of the body past what came before the part (and
// the reader's read-ahead), wherever the part stands; a header within the
// bound is accepted.
func TestFormPartHeaderIsBounded(t *testing.T) {
	t.Parallel()
	fields := "--" + formBoundaryForTests + "\r\nContent-Disposition: form-data; name=\"system\"\r\n\r\nworkspace\r\n" +
		"--" + formBoundaryForTests + "\r\nContent-Disposition: form-data; name=\"object_type\"\r\n\r\ndoc\r\n"
	tests := []struct {
		name string
		body *endlessBody
		max  int64 // bytes the server may read
	}{
		{"first part, one endless line", hugeHeader("", 'x'), partHeaderBudget},
		{"first part, endless header lines", hugeHeader("", '\n'), partHeaderBudget},
		{"third part, one endless line", hugeHeader(fields, 'x'), int64(len(fields)) + multipartBuffer + partHeaderBudget},
		{"endless preamble", &endlessBody{head: []byte("preamble\r\n" + strings.Repeat("junk line\r\n", 1<<20))}, partHeaderBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", tt.body)
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+formBoundaryForTests)
			rec := h.do(req, token(t, "org-1", "member"))
			wantError(t, tt.name, rec, http.StatusRequestEntityTooLarge, "form_header_too_large")
			if tt.body.n > tt.max {
				t.Errorf("the server read %d bytes, want at most %d", tt.body.n, tt.max)
			}
			if rec.Header().Get("Connection") != "close" {
				t.Error("refused without Connection: close")
			}
		})
	}

	t.Run("header after the file", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		buf, _ := form(t, append(docFields(), file("a.png", pngBytes(100)))...)
		head := buf.Bytes()[:bytes.LastIndex(buf.Bytes(), []byte("\r\n--"))]
		boundary := string(buf.Bytes()[2:bytes.Index(buf.Bytes(), []byte("\r\n"))])
		body := &endlessBody{head: append(head, "\r\n--"+boundary+"\r\nX-Pad: "...)}
		req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		rec := h.do(req, token(t, "org-1", "member"))
		wantError(t, "header after the file", rec, http.StatusRequestEntityTooLarge, "form_header_too_large")
		if max := int64(len(head)) + multipartBuffer + partHeaderBudget; body.n > max {
			t.Errorf("the server read %d bytes, want at most %d", body.n, max)
		}
		if ev := h.lastEvent(t); ev.Action != "UPLOAD" || ev.Success || h.files.Len() != 0 {
			t.Errorf("got event %s success=%v and %d records, want a failed UPLOAD and none", ev.Action, ev.Success, h.files.Len())
		}
	})

	t.Run("header within the bound", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		pad := strings.Repeat("p", maxPartHeaderBytes-200)
		var b strings.Builder
		for _, f := range [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}} {
			fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\nX-Pad: %s\r\n\r\n%s\r\n", formBoundaryForTests, f[0], pad, f[1])
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nX-Pad: %s\r\n\r\n%s\r\n--%s--\r\n",
			formBoundaryForTests, pad, pngBytes(100), formBoundaryForTests)
		req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", strings.NewReader(b.String()))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+formBoundaryForTests)
		if rec := h.do(req, token(t, "org-1", "member")); rec.Code != http.StatusCreated {
			t.Errorf("got %d %s, want 201", rec.Code, rec.Body.String())
		}
	})

	t.Run("boundary too long", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", strings.NewReader(""))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+strings.Repeat("b", maxBoundaryBytes+1))
		wantError(t, "long boundary", h.do(req, token(t, "org-1", "member")), http.StatusBadRequest, "not_multipart")
	})
}

// TestFormHeaderMemoryBound: 20 connections that each send an 8 MiB part
// header and then go silent hold no more than the header budget each:
// each is answered 413 and closed, and the heap does not grow by their
// headers. (Without the bound, mime/multipart reads up to 10 MiB of each
// header into memory and waits for the rest.)
func TestFormHeaderMemoryBound(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	const conns, headerBytes = 20, 8 << 20
	filler := bytes.Repeat([]byte("a"), headerBytes)
	tok := token(t, "org-1", "member")

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses []int
		open     []net.Conn
	)
	for range conns {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, conn)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Fprintf(conn, "POST /api/storage/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
				"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"+
				"--%s\r\nContent-Disposition: form-data; name=\"system\"\r\nX-Pad: ",
				tok, formBoundaryForTests, 64<<20, formBoundaryForTests)
			go conn.Write(filler) // then silence; fails once the server closes
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			status := 0
			if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
				status = resp.StatusCode
				io.Copy(io.Discard, resp.Body)
			}
			mu.Lock()
			statuses = append(statuses, status)
			mu.Unlock()
		}()
	}
	wg.Wait() // every connection answered, or 5s of silence
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, c := range open {
		c.Close()
	}
	delta := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d connections, each an %d MiB part header then silence: HeapInuse %+d KiB (%+d KiB per connection)",
		conns, headerBytes>>20, delta>>10, delta/conns>>10)
	for _, s := range statuses {
		if s != http.StatusRequestEntityTooLarge {
			t.Errorf("got status %d, want 413 for every connection (0: no answer)", s)
		}
	}
	if limit := int64(conns) * 512 << 10; delta > limit {
		t.Errorf("the heap grew by %d KiB for %d connections, want at most %d KiB", delta>>10, conns, limit>>10)
	}
}

// readCounter counts the reads of r.
type readCounter struct {
	r     io.Reader
	reads int
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// TestLargeFileIsReadAhead: past readAheadAfter bytes of its file, a
// form is read in reads of readAheadSize, not in the multipart reader's
// 4 KiB ones; the file arrives whole.
func TestLargeFileIsReadAhead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const size = 4 << 20
	content := pngBytes(size)
	buf, ct := form(t, append(docFields(), file("a.png", content))...)
	body := &readCounter{r: buf}
	req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", body)
	req.Header.Set("Content-Type", ct)
	rec := h.do(req, token(t, "org-1", "member"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: got %d %s", rec.Code, rec.Body)
	}
	// In the multipart reader's 4 KiB reads the file alone takes 1024;
	// read ahead past its first 256 KiB, 64 + 60.
	if want := size / multipartBuffer / 4; body.reads > want {
		t.Errorf("the body was read %d times, want at most %d", body.reads, want)
	}
	var rec2 fileRecordJSON
	sum := sha256.Sum256(content)
	if err := json.Unmarshal(rec.Body.Bytes(), &rec2); err != nil || rec2.SizeBytes != size || rec2.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("stored %d bytes, sha256 %s (%v); want the %d sent", rec2.SizeBytes, rec2.SHA256, err, size)
	}
}
