package spaces

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// proxy forwards TCP connections to a server, passing on at most limit
// bytes of each connection's answers (negative: all) and holding the rest.
// It keeps the request headers it forwards in sent.
type proxy struct {
	addr  string
	mu    sync.Mutex
	limit int
	sent  strings.Builder
}

func newProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
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

func (p *proxy) serve(t *testing.T, c net.Conn, target string) {
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	p.mu.Lock()
	limit := p.limit
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, io.TeeReader(c, headers{p})) }()
	if limit < 0 {
		_, _ = io.Copy(c, s)
		return
	}
	_, _ = io.CopyN(c, s, int64(limit))
	<-t.Context().Done() // hold the rest until the test ends
}

// headers records the lines that pass through, but for long ones (bodies).
type headers struct{ p *proxy }

func (h headers) Write(b []byte) (int, error) {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	for line := range strings.SplitAfterSeq(string(b), "\n") {
		if len(line) < 512 {
			h.p.sent.WriteString(line)
		}
	}
	return len(b), nil
}
