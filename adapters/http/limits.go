package httpapi

import (
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
	// with 408 body_too_slow. 0: no floor.
	MinBodyRate int64
	// BodyRateWindow is the window of MinBodyRate. Default 30s.
	BodyRateWindow time.Duration
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
	c.Request.Body = &floorBody{ReadCloser: c.Request.Body, rc: rc,
		rate: l.MinBodyRate, window: l.BodyRateWindow, now: time.Now, observer: s.opts.Observer}
	return func() { _ = rc.SetReadDeadline(time.Time{}) }
}

// floorBody is a request body cut when it arrives slower than rate bytes
// per second over a window: a window that passes with fewer bytes fails
// the next read, and a read that waits a whole window fails by deadline.
type floorBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	rate     int64
	window   time.Duration
	now      func() time.Time
	observer Observer

	start time.Time // of the current window
	got   int64     // bytes in it
	err   error
}

func (b *floorBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	now := b.now()
	if b.start.IsZero() {
		b.start = now
	}
	if now.Sub(b.start) >= b.window {
		if float64(b.got) < float64(b.rate)*b.window.Seconds() {
			return 0, b.cut()
		}
		b.start, b.got = now, 0
	}
	// A read that gets nothing for the rest of the window cannot meet the
	// floor; the deadline ends it instead of letting it hold the
	// connection. ErrNotSupported (a recorder in tests) leaves only the
	// per-window check.
	_ = b.rc.SetReadDeadline(b.start.Add(b.window))
	n, err := b.ReadCloser.Read(p)
	b.got += int64(n)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, b.cut()
	}
	return n, err
}

func (b *floorBody) cut() error {
	b.observer.Shed("slow_body")
	b.err = domain.Errorf(domain.ErrInvalid, codeBodyTooSlow,
		"The request body arrived slower than %s over %s; send it faster, or in parts (multipart upload).",
		fmt.Sprintf("%d KiB/s", max(1, b.rate>>10)), b.window)
	return b.err
}
