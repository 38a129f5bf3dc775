package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/cors"
)

// corsMaxAge is how long, in seconds, a browser may keep a preflight's
// answer: ten minutes, so a changed list reaches browsers soon.
const corsMaxAge = 600

// corsMethods are every method a route of the service takes (PATCH for
// resumable uploads).
var corsMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// corsAllowedHeaders are the request headers a cross-origin page may send.
// They are listed: a wildcard never covers Authorization.
var corsAllowedHeaders = []string{
	"Authorization", "Content-Type", "Idempotency-Key", requestIDHeader,
	// A byte range of a local signed URL (a player seeking, a resumed
	// download): browsers send bytes=N- and bytes=N-M without a
	// preflight, any other range (bytes=-N, the last N bytes) with one.
	"Range",
	// Resumable uploads (tus 1.0).
	"Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata",
	"Upload-Defer-Length", "Upload-Concat",
}

// corsExposedHeaders are the answer headers a cross-origin page may read.
var corsExposedHeaders = []string{
	"ETag", requestIDHeader, "Content-Disposition", "Content-Length", "Content-Range",
	"Location", "Retry-After", "Idempotent-Replayed", "Storage-File-Path",
	// Resumable uploads (tus 1.0).
	"Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
	"Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata",
}

// withCORS wraps the whole router in rs/cors, so every answer carries the
// CORS headers: API routes, local blob and part routes, errors, unknown
// routes and panics alike. A preflight is answered 204 by the wrapper
// itself and never reaches the router, so no admission check (token, load
// shedding) can refuse it. origins is the allow list: nil for none (same
// origin only), "*" for any, or exact origins, optionally with one
// wildcard ("https://*.example.com").
func withCORS(h http.Handler, origins []string) http.Handler {
	opts := cors.Options{
		AllowedMethods:   corsMethods,
		AllowedHeaders:   corsAllowedHeaders,
		ExposedHeaders:   corsExposedHeaders,
		MaxAge:           corsMaxAge,
		AllowCredentials: false, // bearer tokens, never cookies
	}
	if len(origins) == 0 {
		// rs/cors reads an empty list as "any": refuse every origin instead.
		opts.AllowOriginFunc = func(string) bool { return false }
	} else {
		opts.AllowedOrigins = origins
	}
	inner := cors.New(opts).Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w = &preflightWriter{ResponseWriter: w}
		}
		inner.ServeHTTP(w, r)
	})
}

var (
	corsMethodList = strings.Join(corsMethods, ", ")
	corsHeaderList = strings.Join(corsAllowedHeaders, ", ")
	corsMaxAgeText = strconv.Itoa(corsMaxAge)
)

// preflightWriter states, in an allowed preflight's answer, every method and
// header the service takes, where rs/cors echoes only the ones asked for:
// a browser caches the whole list, and a developer reading the answer
// sees what the gateway accepts.
type preflightWriter struct {
	http.ResponseWriter
}

func (w *preflightWriter) WriteHeader(status int) {
	h := w.Header()
	if h.Get("Access-Control-Allow-Origin") != "" {
		h.Set("Access-Control-Allow-Methods", corsMethodList)
		h.Set("Access-Control-Allow-Headers", corsHeaderList)
		h.Set("Access-Control-Max-Age", corsMaxAgeText)
	}
	w.ResponseWriter.WriteHeader(status)
}
