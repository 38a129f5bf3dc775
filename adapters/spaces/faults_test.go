package spaces

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// TestWrongCredentials checks that the server verifies SigV4 and that a
// refusal is domain.ErrUnavailable naming the settings to fix.
func TestWrongCredentials(t *testing.T) {
	t.Parallel()
	good := newBucket(t)
	s, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "k", "data")
	for name, edit := range map[string]func(*Options){
		"wrong secret":     func(o *Options) { o.SecretKey += "x" },
		"wrong access key": func(o *Options) { o.AccessKey = "nobody" },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := good
			edit(&o)
			bad, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			err = bad.Check(t.Context())
			var er minio.ErrorResponse
			if !errors.Is(err, domain.ErrUnavailable) || !errors.As(err, &er) || er.StatusCode/100 != 4 ||
				!strings.Contains(err.Error(), "SPACES_SECRET_KEY") {
				t.Errorf("Check: got %v (S3 code %q, status %d), want domain.ErrUnavailable from a refusal naming SPACES_SECRET_KEY",
					err, er.Code, er.StatusCode)
			}
			t.Logf("the server answered %d %s", er.StatusCode, er.Code)
			// Not Stat: a HEAD answer has no body, and versitygw answers an
			// unknown access key with 404, which then reads as no such key.
			if name == "wrong secret" {
				_, err = bad.Stat(t.Context(), "k")
				wantKind(t, "Stat", err, domain.ErrUnavailable)
			}
			_, _, err = bad.Open(t.Context(), "k", application.Whole)
			wantKind(t, "Open", err, domain.ErrUnavailable)
			_, err = bad.Put(t.Context(), "k", strings.NewReader("other"), "")
			wantKind(t, "Put", err, domain.ErrUnavailable)
			wantKind(t, "Delete", bad.Delete(t.Context(), "k"), domain.ErrUnavailable)
			_, err = bad.List(t.Context(), "", "", 10)
			wantKind(t, "List", err, domain.ErrUnavailable)
			wantBlob(t, s, "k", "data")
		})
	}
	t.Run("missing bucket", func(t *testing.T) {
		t.Parallel()
		o := good
		o.Bucket = "sgw-never-made-" + randomHex(4)
		bad, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := bad.Check(t.Context()); !errors.Is(err, domain.ErrUnavailable) || !strings.Contains(err.Error(), "SPACES_BUCKET") {
			t.Errorf("Check: got %v, want domain.ErrUnavailable naming SPACES_BUCKET", err)
		}
		_, _, err = bad.Open(t.Context(), "k", application.Whole)
		wantKind(t, "Open in a missing bucket", err, domain.ErrUnavailable)
		wantKind(t, "Delete in a missing bucket", bad.Delete(t.Context(), "k"), domain.ErrUnavailable)
	})
}

// TestUnreachable points a Store at a closed port: every operation fails
// with domain.ErrUnavailable, quickly.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	o := Options{Endpoint: addr, Bucket: "files", AccessKey: "AK", SecretKey: "SK", Insecure: true,
		RequestTimeout: time.Second, OperationTimeout: 2 * time.Second}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	wantFailsWithin(t, s, 4*time.Second)
	if err := s.Check(t.Context()); !strings.Contains(err.Error(), "SPACES_ENDPOINT") ||
		!strings.Contains(err.Error(), "SPACES_PATH_STYLE") {
		t.Errorf("Check: got %v, want it to name SPACES_ENDPOINT and SPACES_PATH_STYLE", err)
	}
}

// TestSlowStore puts a proxy that holds the server's answers between the
// Store and the server: operations fail with domain.ErrUnavailable after
// the configured timeouts instead of hanging.
func TestSlowStore(t *testing.T) {
	t.Parallel()
	o := newBucket(t)
	fast, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, fast, "k", strings.Repeat("x", 1<<20))

	p := newProxy(t, o.Endpoint)
	o.Endpoint = p.addr
	o.RequestTimeout, o.OperationTimeout = 500*time.Millisecond, 1500*time.Millisecond
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("answers held", func(t *testing.T) {
		p.hold(0) // not a byte of any answer
		defer p.hold(-1)
		wantFailsWithin(t, s, 4*time.Second)
	})
	t.Run("download stalls", func(t *testing.T) {
		p.hold(64 << 10) // the headers and a little of the body
		defer p.hold(-1)
		start := time.Now()
		rc, _, err := s.Open(t.Context(), "k", application.Whole)
		if err != nil {
			t.Fatalf("Open: got error %v, want the response to start", err)
		}
		defer rc.Close()
		watchdog := time.AfterFunc(5*time.Second, func() { rc.Close() }) // fail, not hang
		defer watchdog.Stop()
		_, err = io.Copy(io.Discard, rc)
		if !errors.Is(err, domain.ErrUnavailable) || time.Since(start) > 3*time.Second {
			t.Errorf("reading a stalled body: got %v after %v, want domain.ErrUnavailable within 3s", err, time.Since(start))
		}
	})
	t.Run("recovers", func(t *testing.T) {
		if _, err := s.Stat(t.Context(), "k"); err != nil {
			t.Errorf("Stat through the proxy once it forwards again: got %v, want nil", err)
		}
	})
}

// wantFailsWithin checks that every operation of s fails with
// domain.ErrUnavailable within limit.
func wantFailsWithin(t *testing.T, s *Store, limit time.Duration) {
	t.Helper()
	ops := map[string]func(context.Context) error{
		"Check": s.Check,
		"Stat":  func(ctx context.Context) error { _, err := s.Stat(ctx, "k"); return err },
		"Open": func(ctx context.Context) error {
			rc, _, err := s.Open(ctx, "k", application.Whole)
			if err == nil {
				rc.Close()
			}
			return err
		},
		"Put":    func(ctx context.Context) error { _, err := s.Put(ctx, "new", strings.NewReader("x"), ""); return err },
		"Delete": func(ctx context.Context) error { return s.Delete(ctx, "gone") },
		"List":   func(ctx context.Context) error { _, err := s.List(ctx, "", "", 10); return err },
	}
	var wg sync.WaitGroup
	for name, op := range ops {
		wg.Go(func() {
			start := time.Now()
			err := op(t.Context())
			if d := time.Since(start); !errors.Is(err, domain.ErrUnavailable) || d > limit {
				t.Errorf("%s: got %v after %v, want domain.ErrUnavailable within %v", name, err, d, limit)
			}
		})
	}
	wg.Wait()
}

// TestNoACLSent watches the requests of small and multipart Puts: none
// carries an ACL, so objects get the bucket's private default.
func TestNoACLSent(t *testing.T) {
	t.Parallel()
	sent := sentBySmallAndLargePuts(t)
	if n := strings.Count("\n"+sent, "\nput /"); n != 3 { // PUT, part 1, part 2 (the rest are POSTs)
		t.Errorf("saw %d PUT requests, want 3", n)
	}
	if strings.Contains(sent, "x-amz-acl") || strings.Contains(sent, "x-amz-grant") {
		t.Errorf("a Put sent an ACL header, want none")
	}
}

// TestSlowLinkCompletes sends a two-part Put through a link of 1.5 MiB/s:
// each part takes longer than the operation budget and the first far
// longer than the request timeout, yet bytes keep moving, so it completes.
func TestSlowLinkCompletes(t *testing.T) {
	t.Parallel()
	o := newBucket(t)
	p := newProxy(t, o.Endpoint)
	p.slow(3 << 19)
	direct := o
	o.Endpoint = p.addr
	o.PartSize = MinPartSize
	o.RequestTimeout, o.OperationTimeout = time.Second, 1500*time.Millisecond
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Repeat("s", MinPartSize+256<<10)
	start := time.Now()
	mustPut(t, s, "slow", data)
	if d := time.Since(start); d < 2*o.OperationTimeout {
		t.Errorf("the Put took %v, want the link to slow it past %v (is the proxy slow?)", d, 2*o.OperationTimeout)
	}
	fast, err := New(direct)
	if err != nil {
		t.Fatal(err)
	}
	wantBlob(t, fast, "slow", data)
}

// TestBlackHoledStore points a Store at a proxy that accepts connections
// and then neither reads nor answers: a Put, small or multipart, and a
// Stat fail with domain.ErrUnavailable once the operation budget is spent
// (plus at most a request timeout), not after each retry's timeout.
func TestBlackHoledStore(t *testing.T) {
	t.Parallel()
	o := newBucket(t)
	p := newProxy(t, o.Endpoint)
	o.Endpoint = p.addr
	o.PartSize = MinPartSize
	o.RequestTimeout, o.OperationTimeout = time.Second, 1500*time.Millisecond
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "k", "before") // resolves the bucket's region while the proxy forwards
	p.blackHoled(true)
	s.Close()                                                             // its pooled connections were made before
	limit := o.OperationTimeout + o.RequestTimeout + 500*time.Millisecond // minio-go's 3 attempts would take 3.6 s
	for name, op := range map[string]func() error{
		"small Put": func() error { _, err := s.Put(t.Context(), "small", strings.NewReader("x"), ""); return err },
		"multipart Put": func() error {
			_, err := s.Put(t.Context(), "large", strings.NewReader(strings.Repeat("y", MinPartSize+1)), "")
			return err
		},
		"Stat": func() error { _, err := s.Stat(t.Context(), "k"); return err },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := op()
			if d := time.Since(start); !errors.Is(err, domain.ErrUnavailable) || d > limit {
				t.Errorf("got %v after %v, want domain.ErrUnavailable within %v", err, d, limit)
			}
		})
	}
}

// TestIPEndpointNeedsNoPathStyle reaches the test server by its IP address
// with SPACES_PATH_STYLE left false: the Store addresses the bucket
// path-style by itself (virtual-hosted, it would look up
// "<bucket>.127.0.0.1"), and a Store told to use virtual-hosted addressing
// on a name without per-bucket DNS names fails Check naming
// SPACES_PATH_STYLE.
func TestIPEndpointNeedsNoPathStyle(t *testing.T) {
	t.Parallel()
	o := newBucket(t)
	o.PathStyle = false
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("Check on %s without SPACES_PATH_STYLE: got %v, want nil", o.Endpoint, err)
	}
	mustPut(t, s, "ip", "addressed by IP")
	wantBlob(t, s, "ip", "addressed by IP")

	_, port, _ := net.SplitHostPort(o.Endpoint)
	o.Endpoint = "sgw-test.invalid:" + port // .invalid never resolves (RFC 6761)
	o.OperationTimeout = 2 * time.Second
	named, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := named.Check(t.Context()); !errors.Is(err, domain.ErrUnavailable) ||
		!strings.Contains(err.Error(), "SPACES_PATH_STYLE=true") {
		t.Errorf("Check on a virtual-hosted name that does not resolve: got %v, want domain.ErrUnavailable naming SPACES_PATH_STYLE=true", err)
	}
}

// sentBySmallAndLargePuts stores a one-byte object and a two-part one
// through a proxy in front of the store, and returns what the proxy saw
// the client send, lower-cased.
func sentBySmallAndLargePuts(t *testing.T) string {
	t.Helper()
	o := newBucket(t)
	p := newProxy(t, o.Endpoint)
	o.Endpoint = p.addr
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "small", "x")
	mustPut(t, s, "large", strings.Repeat("y", MinPartSize+1))
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.ToLower(p.sent.String())
}
