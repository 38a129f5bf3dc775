package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"invalid", domain.Errorf(domain.ErrInvalid, "invalid_path", "x"), http.StatusBadRequest},
		{"unauthenticated", domain.Errorf(domain.ErrUnauthenticated, "token_invalid", "x"), http.StatusUnauthorized},
		{"forbidden", domain.Errorf(domain.ErrForbidden, "forbidden", "x"), http.StatusForbidden},
		{"not found", domain.Errorf(domain.ErrNotFound, "not_found", "x"), http.StatusNotFound},
		{"exists", domain.Errorf(domain.ErrExists, "file_exists", "x"), http.StatusConflict},
		{"too large", domain.Errorf(domain.ErrTooLarge, "file_too_large", "x"), http.StatusRequestEntityTooLarge},
		{"unsupported type", domain.Errorf(domain.ErrUnsupportedType, "not_a_zip", "x"), http.StatusUnsupportedMediaType},
		{"unavailable", domain.Errorf(domain.ErrUnavailable, "store_unavailable", "x"), http.StatusServiceUnavailable},
		{"full disk", fmt.Errorf("upload: %w", application.InsufficientStorage(errors.New("no space left on device"))),
			http.StatusInsufficientStorage},
		{"bare kind, wrapped", fmt.Errorf("ctx: %w", domain.ErrNotFound), http.StatusNotFound},
		{"wrapped domain error", fmt.Errorf("localfs: put: %w", domain.Errorf(domain.ErrTooLarge, "file_too_large", "x")), http.StatusRequestEntityTooLarge},
		{"range", &application.RangeError{Size: 10}, http.StatusRequestedRangeNotSatisfiable},
		{"method", domain.Errorf(domain.ErrInvalid, codeMethodNotAllowed, "x"), http.StatusMethodNotAllowed},
		{"unknown", errors.New("pq: connection refused to 10.0.0.5"), http.StatusInternalServerError},
		{"nil-kind domain error", &domain.Error{Kind: errors.New("odd"), Code: "odd", Message: "odd"}, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		if got := statusOf(tc.err); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestWriteErrorHidesInternals(t *testing.T) {
	t.Parallel()
	secret := "pq: password authentication failed for user storagegw at 10.0.0.5"
	for _, err := range []error{errors.New(secret), &domain.Error{Kind: errors.New("odd"), Code: "odd", Message: secret}} {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		writeError(c, err)
		want := `{"error":{"code":"internal","message":"An internal error occurred."}}`
		if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
			t.Errorf("got %d %s, want 500 %s", rec.Code, rec.Body.String(), want)
		}
		if v, _ := c.Get(ctxKeyInternalFailure); v != err {
			t.Errorf("the real error is not kept for the log line: got %v", v)
		}
	}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	writeError(c, domain.Wrap(domain.ErrUnavailable, "store_unavailable", "The store is unavailable.", errors.New(secret)))
	if strings.Contains(rec.Body.String(), "password") || rec.Code != http.StatusServiceUnavailable {
		t.Errorf("503: got %d %s, want the public message only", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	c, _ = gin.CreateTestContext(rec)
	writeError(c, &application.RangeError{Size: 42})
	if got := rec.Header().Get("Content-Range"); got != "bytes */42" || rec.Code != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("416: got %d with Content-Range %q, want bytes */42", rec.Code, got)
	}
}

// TestNoStatusLiterals keeps statuses in statusOf: outside it, handlers
// may only name the success statuses.
func TestNoStatusLiterals(t *testing.T) {
	t.Parallel()
	allowed := map[string]bool{"StatusOK": true, "StatusCreated": true, "StatusNoContent": true, "StatusPartialContent": true,
		"StatusFound": true} // a gateway link's redirect
	for name, src := range sources(t) {
		if name == "errors.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		for _, m := range statusRef.FindAllStringSubmatch(src, -1) {
			if !allowed[m[1]] {
				t.Errorf("%s uses http.%s; error statuses belong in statusOf", name, m[1])
			}
		}
		if m := codeLiteral.FindString(src); m != "" {
			t.Errorf("%s has a status code literal %q", name, m)
		}
	}
}
