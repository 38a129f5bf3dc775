package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestRefusedBodyIsClosedGracefully sends an upload whose declared length
// is refused after its fields, with more of the file than the server
// reads. The client must read
// the 413 and then the end of the stream (a FIN), not a connection reset:
// a reset can throw away the answer before the client reads it. net/http
// only half-closes such a connection if the request's body is still its
// own when the handler returns, so wrapping it must be undone.
func TestRefusedBodyIsClosedGracefully(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)

	for i := range 5 {
		body, ct := oversized(t, append(docFields(), file("big.png", pngBytes(64)))...)
		head := body.head
		const declared = 600 << 20
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /api/storage/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			token(t, "org-1", "member"), ct, declared)
		// What the client sent before the answer is unread on the server
		// when it closes; that is what turns a plain close into a reset.
		// Nothing else is written: a write would be the one to see the
		// reset, and the read after the answer would see a plain end.
		if _, err := conn.Write(append(head, make([]byte, 64<<10)...)); err != nil {
			t.Fatal(err)
		}
		if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("try %d: reading the answer: %v", i, err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			t.Fatalf("try %d: reading the answer's body: %v", i, err)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("try %d: status %d, want 413", i, resp.StatusCode)
		}
		if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
			t.Errorf("try %d: after the answer, got %v, want the end of the stream (a half-close, not a reset)", i, err)
		}
		conn.Close()
	}
}
