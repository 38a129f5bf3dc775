package spaces

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
)

// newTransport is minio-go's default transport with every wait bounded by
// idle, the time no byte may stay unmoved: dialing, the TLS handshake, the
// wait for response headers once the request has left, and any pause in
// reading or writing a connection. It never bounds a whole transfer, so
// a slow store that keeps moving bytes completes.
func newTransport(secure bool, idle time.Duration) (*http.Transport, error) {
	tr, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: idle, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		ic := &idleConn{Conn: c, idle: idle}
		ic.touch()
		return ic, nil
	}
	tr.TLSHandshakeTimeout = idle
	// Not ResponseHeaderTimeout: it starts when the last byte of the body
	// is handed to the kernel, and a slow store may still be reading
	// megabytes of it from the socket buffer then. idleConn's reads wait
	// for the answer instead, as long as the sent bytes keep draining.
	tr.ResponseHeaderTimeout = 0
	tr.ExpectContinueTimeout = min(idle, time.Second)
	// Close pooled connections before their idle deadline would.
	tr.IdleConnTimeout = idle / 2
	return tr, nil
}

// writeChunk bounds one Write on the connection, so that the idle
// deadline measures progress, not the time to send a whole part.
const writeChunk = 256 << 10

// idleConn fails a Read or Write after idle without a byte moved on the
// connection. The deadlines move with every call and every chunk written;
// a Read that times out while the bytes already sent are still draining
// from the socket's send queue (Linux: SIOCOUTQ) waits on, because the
// store is still receiving the request. A Write also moves the read
// deadline, because the transport has a Read pending for the response
// while a request body is still being sent.
type idleConn struct {
	net.Conn
	idle  time.Duration
	moved atomic.Int64 // unix nanoseconds of the last byte seen moving
	queue atomic.Int64 // the send queue's length at the last look, -1 unknown
}

func (c *idleConn) touch() { c.moved.Store(time.Now().UnixNano()) }

// lastMoved is when a byte last moved on the connection, looking at the
// send queue too: a queue whose length changed since the last look has
// moved (a black-holed peer leaves it full and still).
func (c *idleConn) lastMoved() time.Time {
	if q := sendQueue(c.Conn); q >= 0 {
		if prev := c.queue.Swap(int64(q)); int64(q) != prev {
			c.touch()
		}
	}
	return time.Unix(0, c.moved.Load())
}

func (c *idleConn) Read(p []byte) (int, error) {
	deadline := time.Now().Add(c.idle)
	for {
		if err := c.Conn.SetReadDeadline(deadline); err != nil {
			return 0, err
		}
		n, err := c.Conn.Read(p)
		if n > 0 {
			c.touch()
		}
		if n > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			return n, err
		}
		next := c.lastMoved().Add(c.idle)
		if !next.After(time.Now()) {
			return n, err
		}
		deadline = next
	}
}

func (c *idleConn) Write(p []byte) (int, error) {
	written := 0
	deadline := time.Now().Add(c.idle)
	for written < len(p) {
		end := min(len(p), written+writeChunk)
		if err := c.Conn.SetDeadline(deadline); err != nil {
			return written, err
		}
		n, err := c.Conn.Write(p[written:end])
		written += n
		if n > 0 {
			c.touch()
		}
		if err == nil {
			deadline = time.Now().Add(c.idle)
			continue
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return written, err
		}
		// The kernel wakes a blocked writer only once much of the send
		// queue has drained: ask the queue whether bytes still move.
		if deadline = c.lastMoved().Add(c.idle); !deadline.After(time.Now()) {
			return written, err
		}
	}
	return written, nil
}

// connOf finds the idleConn under a connection the transport reports
// (plain, or TLS over it).
func connOf(c net.Conn) *idleConn {
	for c != nil {
		switch v := c.(type) {
		case *idleConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}
