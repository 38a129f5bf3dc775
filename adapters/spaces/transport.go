package spaces

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
)

// newTransport is minio-go's default transport with every wait bounded by
// timeout: dialing, the TLS handshake, the response headers, and any pause
// in reading or writing a connection, so that a store that stops
// answering fails a request instead of holding it.
func newTransport(secure bool, timeout time.Duration) (*http.Transport, error) {
	tr, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &idleConn{Conn: c, idle: timeout}, nil
	}
	tr.TLSHandshakeTimeout = timeout
	tr.ResponseHeaderTimeout = timeout
	tr.ExpectContinueTimeout = min(timeout, time.Second)
	// Close pooled connections before their idle deadline would.
	tr.IdleConnTimeout = timeout / 2
	return tr, nil
}

// idleConn fails a Read or Write that makes no progress for idle. The
// deadlines move with every call, so long transfers are not cut short; a
// Write also moves the read deadline, because the transport has a Read
// pending for the response while a request body is still being sent.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}
