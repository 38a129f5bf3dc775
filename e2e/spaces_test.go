package e2e

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestSpacesEndToEnd runs the service through the Spaces injector against a
// real S3 server: blobs land in the bucket, signed URLs are presigned by
// the store and point at it, and the local download route is absent.
func TestSpacesEndToEnd(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	a := newAPI(t, s3.SpacesEnv(s3.Endpoint, bucket, nil))
	admin := a.Token("org-1", "admin")

	body := pngOf(3 << 20)
	rec := a.UploadDoc("org-1", "d1", "big.png", body)
	if keys := s3.Keys(t, bucket); len(keys) != 1 || !strings.HasPrefix(keys[0], rec.FilePath+"/") {
		t.Fatalf("bucket keys: got %v, want one under %s/", keys, rec.FilePath)
	}

	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", admin,
		`{"file_path":"`+rec.FilePath+`","disposition":"attachment"}`)
	var signed struct{ URL string }
	r.JSON(t, &signed)
	u, err := url.Parse(signed.URL)
	if err != nil || u.Host != s3.Endpoint || u.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("signed URL %q: want a presigned URL on the store %s", signed.URL, s3.Endpoint)
	}
	got := a.Get(signed.URL, "")
	if got.Status != http.StatusOK || string(got.Body) != string(body) {
		t.Fatalf("presigned GET: got %d and %d bytes, want 200 and the %d uploaded bytes", got.Status, len(got.Body), len(body))
	}
	if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition: got %q, want attachment", cd)
	}
	want(t, "no local download route", a.Get("/api/storage/blob?key=x", ""), http.StatusNotFound, "route_not_found")
	if r := a.Get("/readyz", ""); r.Status != http.StatusOK {
		t.Errorf("readyz: got %d %s", r.Status, r.Body)
	}

	want(t, "hard delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", admin,
		`{"file_path":"`+rec.FilePath+`","hard":true}`), http.StatusOK, "")
	if keys := s3.Keys(t, bucket); len(keys) != 0 {
		t.Errorf("bucket after hard delete: got %v, want empty", keys)
	}
}

// switchProxy forwards TCP connections to target until cut, after which it
// refuses them (down; reset does the same with a TCP reset, RST, on every
// connection it closes), accepts and never answers (hang), or black-holes
// (blackhole): what the open connections carry is dropped, no connection
// breaks, and new ones are accepted and never answered, as when a network
// drops every packet. Leaving a mode closes its connections.
type switchProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	mode   string // "up", "down", "reset", "hang", "blackhole"
	conns  []net.Conn
}

func newSwitchProxy(t *testing.T, target string) *switchProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &switchProxy{l: l, target: target, mode: "up"}
	go p.serve()
	t.Cleanup(func() { p.set("down"); l.Close() })
	return p
}

func (p *switchProxy) addr() string { return p.l.Addr().String() }

func (p *switchProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	if mode == "blackhole" { // the connections stay open, silent
		return
	}
	for _, c := range p.conns {
		closeConn(c, mode == "reset")
	}
	p.conns = nil
}

// closeConn closes c, with a TCP reset when rst.
func closeConn(c net.Conn, rst bool) {
	if tc, ok := c.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

func (p *switchProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		switch mode {
		case "down", "reset":
			closeConn(c, mode == "reset")
		case "hang", "blackhole":
			go func() { _, _ = io.Copy(io.Discard, c) }()
		default:
			go p.forward(c)
		}
	}
}

func (p *switchProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { p.pipe(up, c); up.Close() }()
	p.pipe(c, up)
	c.Close()
}

// pipe copies src to dst, dropping what arrives while the proxy
// black-holes.
func (p *switchProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		drop := p.mode == "blackhole"
		p.mu.Unlock()
		if n > 0 && !drop {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
