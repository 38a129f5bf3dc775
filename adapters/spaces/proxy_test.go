package spaces

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proxy forwards TCP connections to a server, passing on at most limit
// bytes of each connection's answers (negative: all) and holding the rest.
// It keeps the request headers it forwards in sent. A rate above zero
// forwards requests at that many bytes a second (a slow link); blackHole
// makes new connections swallow nothing and answer nothing.
type proxy struct {
	addr      string
	mu        sync.Mutex
	limit     int
	rate      int
	blackHole bool
	flip      bool // requests: every 0xff byte becomes 0xfe (corruptBodies)
	sent      strings.Builder
}

func newProxy(t *testing.T, target string) *proxy {
	// A small receive buffer, so that what a slow link has not carried
	// yet waits in the sender's send queue, as on a real network, rather
	// than in this proxy's socket.
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10) })
	}}
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &proxy{addr: l.Addr().String(), limit: -1}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(t, c, target)
		}
	}()
	return p
}

func (p *proxy) hold(limit int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limit = limit
}

// slow sets the rate of requests, bytes a second (0: unlimited).
func (p *proxy) slow(rate int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rate = rate
}

// blackHoled makes new connections swallow nothing and answer nothing.
func (p *proxy) blackHoled(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blackHole = on
}

// corruptBodies makes new connections change every 0xff byte of the
// requests into 0xfe: headers are ASCII, so only bodies change.
func (p *proxy) corruptBodies() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flip = true
}

func (p *proxy) serve(t *testing.T, c net.Conn, target string) {
	defer c.Close()
	p.mu.Lock()
	limit, rate, blackHole, flip := p.limit, p.rate, p.blackHole, p.flip
	p.mu.Unlock()
	if blackHole {
		<-t.Context().Done()
		return
	}
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		var src io.Reader = io.TeeReader(c, &headers{p: p})
		if flip {
			src = flipper{src}
		}
		if rate <= 0 {
			_, _ = io.Copy(s, src)
			return
		}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			if _, err := io.CopyN(s, src, int64(max(rate/100, 1))); err != nil {
				return
			}
		}
	}()
	if limit < 0 {
		_, _ = io.Copy(c, s)
		return
	}
	_, _ = io.CopyN(c, s, int64(limit))
	<-t.Context().Done() // hold the rest until the test ends
}

// headers records the lines that pass through one connection, but for
// long ones (bodies). It assembles each line before it records it whole,
// so a line split between two reads, or the lines of connections running
// at once, are never recorded in pieces or interleaved.
type headers struct {
	p    *proxy
	line []byte // the current line so far, up to 512 bytes
	long bool   // the current line is longer: not recorded
}

func (h *headers) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		chunk := b
		if i >= 0 {
			chunk = b[:i+1]
		}
		b = b[len(chunk):]
		if !h.long {
			h.line = append(h.line, chunk...)
			h.long = len(h.line) >= 512
		}
		if i < 0 {
			continue
		}
		if !h.long {
			h.p.mu.Lock()
			h.p.sent.Write(h.line)
			h.p.mu.Unlock()
		}
		h.line, h.long = h.line[:0], false
	}
	return n, nil
}

// flipper changes every 0xff byte it reads into 0xfe.
type flipper struct{ r io.Reader }

func (f flipper) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	for i, c := range b[:n] {
		if c == 0xff {
			b[i] = 0xfe
		}
	}
	return n, err
}
