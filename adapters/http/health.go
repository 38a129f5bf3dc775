package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/domain"
)

// ReadinessCheck is one dependency GET /readyz checks: Check returns nil
// when it answers (a database ping, a blob-store check).
type ReadinessCheck struct {
	Name  string // "database", "blob_store"
	Check func(ctx context.Context) error
}

type readyCheckJSON struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

type readyJSON struct {
	Status string                    `json:"status"`
	Checks map[string]readyCheckJSON `json:"checks"`
}

// readyz is GET /readyz: every check runs at once, each within
// ReadinessTimeout. 200 with status ok when all pass; 503 with status
// unavailable, naming the failed checks, otherwise. The body carries public
// messages only; the real errors go to the request's log line.
func (s *Server) readyz(c *gin.Context) {
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(s.opts.Readiness))
	for _, chk := range s.opts.Readiness {
		go func() {
			ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.ReadinessTimeout)
			defer cancel()
			results <- result{chk.Name, chk.Check(ctx)}
		}()
	}
	out := readyJSON{Status: "ok", Checks: map[string]readyCheckJSON{}}
	var failed []error
	for range s.opts.Readiness {
		r := <-results
		if r.err == nil {
			out.Checks[r.name] = readyCheckJSON{Status: "ok"}
			continue
		}
		failed = append(failed, fmt.Errorf("%s: %w", r.name, r.err))
		out.Checks[r.name] = readyCheckJSON{Status: "unavailable", Error: s.readinessMessage(r.err)}
	}
	if len(failed) == 0 {
		c.JSON(http.StatusOK, out)
		return
	}
	err := domain.Wrap(domain.ErrUnavailable, "not_ready", "A dependency is unavailable.", errors.Join(failed...))
	c.Set(ctxKeyInternalFailure, err)
	c.Set(ctxKeyErrorCode, "not_ready")
	out.Status = "unavailable"
	c.JSON(statusOf(err), out)
}

// readinessMessage is what /readyz says about a failed check.
func (s *Server) readinessMessage(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", s.opts.ReadinessTimeout)
	}
	code, msg := domain.PublicMessage(err)
	return code + ": " + msg
}
