package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"storagegw/domain"
)

// Limits shed load before the database or the store is overrun, and cut
// clients that hold a connection without sending. The zero value bounds
// nothing.
type Limits struct {
	// MaxInFlight bounds the requests being served at once (health and
	// metrics routes excepted); one more is answered 429. 0: no bound.
	MaxInFlight int
	// MaxUploads bounds the upload bodies being received at once, all orgs
	// together, and MaxUploadsPerOrg those of one org; one more is
	// answered 429 before its body is read. 0: no bound.
	MaxUploads       int
	MaxUploadsPerOrg int
	// RetryAfter is what a 429 asks the client to wait. Default 1s.
	RetryAfter time.Duration
	// MinBodyRate is the slowest a request body may arrive, in bytes per
	// second, measured over each BodyRateWindow; a body that stalls for a
	// whole window, or sends less than MinBodyRate·window in one, is cut
	// with 408 body_too_slow. A download taken slower is cut too. 0: no
	// floor.
	MinBodyRate int64
	// BodyRateWindow is the window of MinBodyRate. Default 30s.
	BodyRateWindow time.Duration
	// WriteTimeout bounds writing any answer but a file download, from its
	// first byte; downloads are held to MinBodyRate instead. 0: no bound.
	WriteTimeout time.Duration
}

// Error codes of shed and cut requests (statusOf maps them).
const (
	codeBusy        = "too_many_requests"
	codeBusyUploads = "too_many_uploads"
	codeBodyTooSlow = "body_too_slow"
)

// busyError is a request refused for load; writeError adds Retry-After.
type busyError struct {
	err        *domain.Error
	retryAfter time.Duration
}

func (e *busyError) Error() string { return e.err.Error() }
func (e *busyError) Unwrap() error { return e.err }

func (l Limits) busy(code, format string, args ...any) error {
	return &busyError{err: domain.Errorf(domain.ErrUnavailable, code, format, args...), retryAfter: l.RetryAfter}
}

// retryAfterSeconds is d as a Retry-After value, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// unshed are the routes limitInFlight never refuses.
var unshed = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// gate counts holders of a bounded resource, overall and per key.
type gate struct {
	mu     sync.Mutex
	total  int
	perKey map[string]int
}

// enter admits one more holder for key unless that would pass max overall
// or perKey for key (a bound of 0 is none).
func (g *gate) enter(key string, max, perKey int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if max > 0 && g.total >= max || perKey > 0 && g.perKey[key] >= perKey {
		return false
	}
	g.total++
	if perKey > 0 {
		if g.perKey == nil {
			g.perKey = map[string]int{}
		}
		g.perKey[key]++
	}
	return true
}

func (g *gate) leave(key string, perKey int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if perKey > 0 {
		if g.perKey[key]--; g.perKey[key] <= 0 {
			delete(g.perKey, key)
		}
	}
}

// closeUnreadBody answers a refused request that has a body with
// Connection: close, so the server does not wait for the rest of a body
// nobody will read (a shed client that holds its body would hold the
// connection, and the test sending it, forever).
func closeUnreadBody(c *gin.Context) {
	if c.Request.ContentLength != 0 {
		c.Header("Connection", "close")
	}
}

// limitInFlight sheds requests past Limits.MaxInFlight with 429. Health,
// readiness and metrics are always answered: they say why the service is
// busy.
func (s *Server) limitInFlight(c *gin.Context) {
	l := s.opts.Limits
	if l.MaxInFlight <= 0 || unshed[c.FullPath()] {
		c.Next()
		return
	}
	if !s.inFlight.enter("", l.MaxInFlight, 0) {
		s.opts.Observer.Shed("in_flight")
		closeUnreadBody(c)
		writeError(c, l.busy(codeBusy, "The service is serving %d requests already; retry after %s.",
			l.MaxInFlight, retryAfterSeconds(l.RetryAfter)+"s"))
		return
	}
	defer s.inFlight.leave("", 0)
	c.Next()
}

// limitUploads admits an authenticated upload body within Limits'
// MaxUploads and MaxUploadsPerOrg, before any byte of it is read, and
// holds its body to the rate floor while it streams.
func (s *Server) limitUploads(c *gin.Context) {
	l := s.opts.Limits
	org := c.GetString(ctxKeyOrg)
	if !s.uploads.enter(org, l.MaxUploads, l.MaxUploadsPerOrg) {
		s.opts.Observer.Shed("uploads")
		closeUnreadBody(c)
		writeError(c, l.busy(codeBusyUploads,
			"Too many uploads are in progress (at most %d at once, %d per organisation); retry after %ss.",
			l.MaxUploads, l.MaxUploadsPerOrg, retryAfterSeconds(l.RetryAfter)))
		return
	}
	defer s.uploads.leave(org, l.MaxUploadsPerOrg)
	defer s.floorBody(c)()
	c.Next()
}

// floorBody holds the request body to Limits.MinBodyRate (see there) and
// returns what undoes it once the handler is done: the connection's read
// deadline is cleared for the next request.
func (s *Server) floorBody(c *gin.Context) (undo func()) {
	l := s.opts.Limits
	if l.MinBodyRate <= 0 || c.Request.Body == nil || c.Request.Body == http.NoBody {
		return func() {}
	}
	rc := http.NewResponseController(c.Writer)
	ctx := c.Request.Context()
	c.Request.Body = &floorBody{ReadCloser: c.Request.Body, rc: rc, floor: s.newFloor(), ctx: ctx}
	// A request cancelled while its body streams (serve's shutdown cutting
	// it) stops reading at once, instead of at the end of the window; never
	// once the handler is done (its writer is then another request's).
	var mu sync.Mutex
	ended := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !ended {
			_ = rc.SetReadDeadline(time.Now())
		}
	})
	return func() {
		stop()
		mu.Lock()
		ended = true
		mu.Unlock()
		_ = rc.SetReadDeadline(time.Time{})
	}
}

// sendFile copies a served file to the client, held to
// Limits.MinBodyRate: the file is read just before each write to the
// client, and each read sets the write deadline of what it hands over, so
// a client that takes the bytes slower than the floor is cut (the copy
// fails and the connection closes) instead of holding the file open. A
// copy that fails midway cannot change the status any more; the response
// is cut short and the log line shows the bytes.
func (s *Server) sendFile(c *gin.Context, body io.Reader) {
	w := &fileWriter{ResponseWriter: c.Writer}
	c.Writer = w // the access log and metrics read its Size
	if s.opts.Limits.MinBodyRate <= 0 {
		_, _ = io.Copy(w, body)
		return
	}
	w.rc = http.NewResponseController(w.ResponseWriter)
	defer func() { _ = w.rc.SetWriteDeadline(time.Time{}) }()
	w.floor = s.newFloor()
	if _, err := io.Copy(w, body); w.slow || errors.Is(err, os.ErrDeadlineExceeded) {
		s.opts.Observer.Shed("slow_download")
	}
}

// writeDeadline bounds writing any answer but a file download to
// Limits.WriteTimeout, from its first byte: a client that does not read
// its answer cannot hold the connection and its buffers.
func (s *Server) writeDeadline(c *gin.Context) {
	d := s.opts.Limits.WriteTimeout
	if d <= 0 || c.FullPath() == blobRoute {
		c.Next()
		return
	}
	rc := http.NewResponseController(c.Writer)
	c.Writer = &deadlineWriter{ResponseWriter: c.Writer, arm: func() { _ = rc.SetWriteDeadline(time.Now().Add(d)) }}
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	c.Next()
}

// deadlineWriter arms the write deadline when the answer starts.
type deadlineWriter struct {
	gin.ResponseWriter
	arm   func()
	armed bool
}

// Unwrap lets http.ResponseController reach the connection through it
// (the rate floor sets deadlines with one).
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *deadlineWriter) start() {
	if !w.armed {
		w.armed = true
		w.arm()
	}
}

func (w *deadlineWriter) WriteHeader(code int) { w.start(); w.ResponseWriter.WriteHeader(code) }
func (w *deadlineWriter) WriteHeaderNow()      { w.start(); w.ResponseWriter.WriteHeaderNow() }
func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(p)
}
func (w *deadlineWriter) WriteString(s string) (int, error) {
	w.start()
	return w.ResponseWriter.WriteString(s)
}

// floor measures a transfer against a rate floor over windows.
type floor struct {
	rate     int64
	window   time.Duration
	now      func() time.Time
	observer Observer

	start time.Time // of the current window
	got   int64     // bytes in it
}

func (s *Server) newFloor() *floor {
	l := s.opts.Limits
	return &floor{rate: l.MinBodyRate, window: l.BodyRateWindow, now: time.Now, observer: s.opts.Observer}
}

// next is called before each transfer step: false when the window that
// just ended moved fewer bytes than the floor. It returns the deadline of
// the step: the end of the current window (a step that moves nothing for
// the rest of the window cannot meet the floor).
func (f *floor) next() (time.Time, bool) {
	now := f.now()
	if f.start.IsZero() {
		f.start = now
	}
	if now.Sub(f.start) >= f.window {
		if float64(f.got) < float64(f.rate)*f.window.Seconds() {
			return time.Time{}, false
		}
		f.start, f.got = now, 0
	}
	return f.start.Add(f.window), true
}

func (f *floor) rateText() string {
	return fmt.Sprintf("%d KiB/s over %s", max(1, f.rate>>10), f.window)
}

// floorBody is a request body cut when it arrives slower than the floor:
// a window that passes with fewer bytes fails the next read, and a read
// that waits past the window fails by deadline (ErrNotSupported, a
// recorder in tests, leaves only the per-window check). Once its request
// is cancelled by serve's shutdown, a read fails at once with
// ErrShuttingDown.
type floorBody struct {
	io.ReadCloser
	rc *http.ResponseController
	*floor
	ctx context.Context
	err error
}

func (b *floorBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	deadline, ok := b.next()
	if !ok {
		return 0, b.cut()
	}
	_ = b.rc.SetReadDeadline(deadline)
	if err := b.cancelled(); err != nil {
		return 0, err
	}
	n, err := b.ReadCloser.Read(p)
	b.got += int64(n)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if cerr := b.cancelled(); cerr != nil {
			return n, cerr
		}
		return n, b.cut()
	}
	return n, err
}

// cancelled is the cause of the request's cancellation when that is one
// of the service's errors (ErrShuttingDown), nil otherwise: while the
// request runs, and when net/http cancelled it itself (a failed read of
// the connection, the floor's deadline included, cancels the request).
func (b *floorBody) cancelled() error {
	var de *domain.Error
	if b.ctx.Err() != nil && errors.As(context.Cause(b.ctx), &de) {
		b.err = de
		return de
	}
	return nil
}

func (b *floorBody) cut() error {
	b.observer.Shed("slow_body")
	b.err = domain.Errorf(domain.ErrInvalid, codeBodyTooSlow,
		"The request body arrived slower than %s; send it faster, or in parts (multipart upload).", b.rateText())
	return b.err
}
