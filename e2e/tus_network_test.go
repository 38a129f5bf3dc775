package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cuttingProxy forwards TCP connections to target and, once more than
// cutAt bytes went from clients to target (all connections together), drops
// every connection: a network that fails in the middle of a request.
type cuttingProxy struct {
	addr  string
	sent  atomic.Int64
	cutAt int64
	mu    sync.Mutex
	conns []net.Conn
}

func newCuttingProxy(t *testing.T, target string, cutAt int64) *cuttingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{addr: l.Addr().String(), cutAt: cutAt}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
			go p.forward(c, s)
		}
	}()
	return p
}

func (p *cuttingProxy) forward(c, s net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if left := p.cutAt - p.sent.Load(); int64(n) > left {
				n = int(max(left, 0))
				_, _ = s.Write(buf[:n])
				p.sent.Add(int64(n))
				p.cut()
				return
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
			p.sent.Add(int64(n))
		}
		if err != nil {
			s.Close()
			return
		}
	}
}

func (p *cuttingProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestTusJSClientCutMidChunk: the network drops while tus-js-client sends
// the third 5 MiB chunk (12.5 MiB into the upload); a new client resumes
// from the upload's URL and the file's sha256 is the bytes'. It logs what
// the resume costs: the bytes of the cut chunk that reached the service
// and are sent again. On local disk and on the S3 server.
func TestTusJSClientCutMidChunk(t *testing.T) {
	t.Parallel()
	test := func(t *testing.T, a *api, store string) {
		modules := tusClient(t)
		file, data, sum := tusFile(t)
		tok := a.Token("org-1", "member")
		srv, _ := url.Parse(a.URL)
		proxy := newCuttingProxy(t, srv.Host, 2*tusChunk+tusChunk/2)
		meta, _ := json.Marshal(map[string]string{"system": "workspace", "object_type": "pdf", "object_id": "tus-1", "filename": "big.pdf"})
		cmd := exec.Command("node", "tus/upload.cjs")
		cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "TUS_MODE=full", "TUS_ENDPOINT=http://"+proxy.addr+"/api/storage/tus/",
			"TUS_TOKEN="+tok, "TUS_FILE="+file, "TUS_CHUNK="+itoa(tusChunk), "TUS_METADATA="+string(meta))
		out, _ := cmd.Output() // it fails: the network dropped
		var first tusRun
		if err := json.Unmarshal(out, &first); err != nil || first.URL == "" || first.Error == "" {
			t.Fatalf("tus-js-client through a network that drops: %v; stdout %q, want an error after the upload's creation", err, out)
		}
		path := strings.TrimPrefix(first.URL, "http://"+proxy.addr)
		// The cut PATCH ends on the server: its offset settles and its lease
		// is given back (a PATCH of nothing at that offset is then 204).
		var offset int64 = -1
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			offset = jsonAtoi(a.Do(http.MethodHead, path, tok, nil, tusHeader()).Header.Get("Upload-Offset"))
			if r := a.tusPatch(tok, path, int(offset), nil); r.Status == http.StatusNoContent {
				break
			}
		}
		if offset != 2*tusChunk {
			t.Fatalf("offset after the network dropped 12.5 MiB in: got %d, want the two whole chunks, %d", offset, 2*tusChunk)
		}
		resumed := runTus(t, modules, "resume", a.URL+"/api/storage/tus/", tok, file, a.URL+path, 0)
		var rec record
		a.Get("/api/storage/metadata/"+resumed.FilePath, tok).JSON(t, &rec)
		if rec.SHA256 != sum || rec.SizeBytes != int64(len(data)) {
			t.Fatalf("record after the resume: got %+v, want sha256 %s", rec, sum)
		}
		uploads := 0
		for _, e := range a.AuditLog("org-1", "action_type=UPLOAD&file_path="+resumed.FilePath) {
			if e.Success {
				uploads++
			}
		}
		if uploads != 1 {
			t.Fatalf("UPLOAD events: got %d, want 1", uploads)
		}
		reached := proxy.sent.Load()
		t.Logf("%s: the network dropped after %d bytes had reached the service (headers included; tus-js-client reported %d sent); "+
			"the service kept %d; the new client sent the remaining %d bytes in %d ms, so about %d bytes (the cut chunk's) were sent twice",
			store, reached, first.Sent, offset, int64(len(data))-offset, resumed.MS, reached-offset)
	}
	t.Run("local disk", func(t *testing.T) {
		t.Parallel()
		test(t, newAPI(t, nil), "local disk")
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		s3 := testS3(t)
		test(t, newAPI(t, s3.SpacesEnv(s3.Endpoint, s3.Bucket(t), nil)), "S3 (versitygw)")
	})
}
