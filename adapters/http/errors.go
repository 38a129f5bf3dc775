package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// Codes of the errors the adapter itself raises, besides the domain's.
const (
	codeRouteNotFound     = "route_not_found"
	codeMethodNotAllowed  = "method_not_allowed"
	codeInternal          = "internal"
	internalMessage       = "An internal error occurred."
	ctxKeyErrorCode       = "storagegw.error_code"
	ctxKeyInternalFailure = "storagegw.internal"
	codeShuttingDown      = "shutting_down"
)

// ErrShuttingDown is the cause serve cancels the requests still running
// with when its shutdown timeout is over: an upload cut that way answers
// 503 shutting_down (its body read stops at once; see floorBody).
var ErrShuttingDown = errorf(domain.ErrUnavailable, codeShuttingDown,
	"The service is shutting down and cut this request; retry it (another replica takes it, or this one once restarted).")

// statusOf is the one place where an error becomes an HTTP status. Domain
// kinds map to SPEC §4's codes; a few codes have statuses of their own (a
// range outside the file, a method the route does not take, a request shed
// for load, a body too slow, a full disk, an Idempotency-Key reused: 422); anything else is a 500.
func statusOf(err error) int {
	var de *domain.Error
	if errors.As(err, &de) {
		switch de.Code {
		case application.CodeRangeNotSatisfiable:
			return http.StatusRequestedRangeNotSatisfiable
		case codeMethodNotAllowed:
			return http.StatusMethodNotAllowed
		case codeBusy, codeBusyUploads:
			return http.StatusTooManyRequests
		case codeBodyTooSlow:
			return http.StatusRequestTimeout
		case application.CodeInsufficientStorage:
			return http.StatusInsufficientStorage
		case codeTusVersion:
			return http.StatusPreconditionFailed
		case domain.CodeIdempotencyKeyReused:
			return http.StatusUnprocessableEntity
		case domain.CodeLinkRevoked, domain.CodeLinkExhausted:
			return http.StatusGone
		case domain.CodeQuotaExceeded: // an org over its storage quota (domain.ErrTooLarge)
			return http.StatusRequestEntityTooLarge
		case domain.CodeLegalHold: // a change that would destroy held content (domain.ErrExists)
			return http.StatusConflict
		}
	}
	switch domain.KindOf(err) {
	case domain.ErrInvalid:
		return http.StatusBadRequest
	case domain.ErrUnauthenticated:
		return http.StatusUnauthorized
	case domain.ErrForbidden:
		return http.StatusForbidden
	case domain.ErrNotFound:
		return http.StatusNotFound
	case domain.ErrExists:
		return http.StatusConflict
	case domain.ErrTooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.ErrUnsupportedType:
		return http.StatusUnsupportedMediaType
	case domain.ErrUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// replayable is whether an answer of this status is kept for an
// Idempotency-Key's replay: a 2xx, or a 4xx a retry would get again (not
// 408, 425 or 429, which invite the retry).
func replayable(status int) bool {
	switch {
	case status >= 200 && status < 300:
		return true
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status == http.StatusTooEarly:
		return false
	}
	return status >= 400 && status < 500
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers the request with err and stops the handler chain. The
// body carries only the public code and message; for a 500 it is generic
// and the real error goes to the request log line, never to the client.
func writeError(c *gin.Context, err error) {
	status := statusOf(err)
	code, msg := domain.PublicMessage(err)
	if status == http.StatusInternalServerError {
		code, msg = codeInternal, internalMessage
	}
	if status >= http.StatusInternalServerError {
		c.Set(ctxKeyInternalFailure, err)
	}
	c.Set(ctxKeyErrorCode, code)
	var re *application.RangeError
	if errors.As(err, &re) {
		c.Header("Content-Range", "bytes */"+strconv.FormatInt(re.Size, 10))
	}
	var be *busyError
	if errors.As(err, &be) {
		c.Header("Retry-After", retryAfterSeconds(be.retryAfter))
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// errorf builds an adapter-level domain error.
func errorf(kind error, code, format string, args ...any) error {
	return domain.Errorf(kind, code, format, args...)
}
