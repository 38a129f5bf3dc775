package httpapi

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.uber.org/zap"
)

// requestIDHeader carries the request id in and out.
const requestIDHeader = "X-Request-ID"

// maxRequestIDBytes bounds a client-supplied request id.
const maxRequestIDBytes = 128

// Context keys the request middleware reads back for its log line.
const (
	ctxKeyUser = "storagegw.user"
	ctxKeyOrg  = "storagegw.org"
	ctxKeyRole = "storagegw.role"

	ctxKeyPanicStack = "storagegw.panic_stack"
)

// requestMiddleware is the one middleware around every request: it sets the
// request id, turns a panic into a generic 500 and writes one log line per
// request. The line holds the route template, never the raw path or query
// (signed URLs carry their signature there), and never a token or body.
func (s *Server) requestMiddleware(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		id = uuid.NewString()
	}
	c.Header(requestIDHeader, id)
	orig := c.Request.Body
	body := &countingBody{ReadCloser: orig}
	if orig != nil {
		c.Request.Body = body
	}

	defer func() {
		// net/http half-closes the connection of a request whose body was
		// left unread (FIN, then a pause before the close) only when it
		// finds its own body on the request; a plain close with unread
		// bytes is a reset that can destroy the answer before the client
		// reads it. So every wrapper, this one and later ones, is undone.
		c.Request.Body = orig
		p := recover()
		if p == http.ErrAbortHandler {
			panic(p) // the server's own signal to drop the connection
		}
		if p != nil {
			err := fmt.Errorf("panic: %v", p)
			c.Set(ctxKeyInternalFailure, err)
			c.Set(ctxKeyPanicStack, string(debug.Stack()))
			if !c.Writer.Written() {
				writeError(c, err)
			}
		}
		took := time.Since(start)
		s.logRequest(c, id, took)
		s.opts.Observer.Request(routeOf(c), c.Request.Method, c.Writer.Status(), took, body.n, int64(max(c.Writer.Size(), 0)))
	}()
	c.Next()
}

// logRequest writes the request's one log line.
func (s *Server) logRequest(c *gin.Context, id string, took time.Duration) {
	fields := []zap.Field{
		zap.String("request_id", id),
		zap.String("method", c.Request.Method),
		zap.String("route", routeOf(c)),
		zap.Int("status", c.Writer.Status()),
		zap.Duration("duration", took),
		zap.Int("bytes", max(c.Writer.Size(), 0)),
		zap.String("client_ip", c.ClientIP()),
	}
	for _, k := range []string{ctxKeyOrg, ctxKeyUser, ctxKeyRole} {
		if v := c.GetString(k); v != "" {
			fields = append(fields, zap.String(k[len("storagegw."):], v))
		}
	}
	if code := c.GetString(ctxKeyErrorCode); code != "" {
		fields = append(fields, zap.String("error_code", code))
	}
	if stack := c.GetString(ctxKeyPanicStack); stack != "" {
		fields = append(fields, zap.String("stack", stack))
	}
	// A failure of the service itself (5xx) carries its real error and is
	// logged at error level; refusals of the request are info.
	if v, ok := c.Get(ctxKeyInternalFailure); ok {
		err, _ := v.(error)
		s.logger.Error("request", append(fields, zap.Error(err))...)
		return
	}
	s.logger.Info("request", fields...)
}

// routeOf is the request's route template, "(unmatched)" when none.
func routeOf(c *gin.Context) string {
	if route := c.FullPath(); route != "" {
		return route
	}
	return "(unmatched)"
}

// validRequestID accepts 1 to maxRequestIDBytes characters of
// [A-Za-z0-9._:-], so a client's id cannot inject anything into logs.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}
