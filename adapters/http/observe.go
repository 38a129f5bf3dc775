package httpapi

import (
	"io"
	"time"
)

// Observer hears of what the adapter serves, for metrics (adapters/metrics
// implements it). Its methods must be cheap and safe for concurrent use.
// Labels it receives are bounded: route templates, never raw paths.
type Observer interface {
	// Request is one finished request: its route template ("(unmatched)"
	// when no route matched), method, status, duration, and the body bytes
	// received and sent.
	Request(route, method string, status int, took time.Duration, bytesIn, bytesOut int64)
	// Upload is one committed upload: its kind and size. No org: /metrics
	// needs no token, so nothing it shows may name a tenant.
	Upload(system, objectType string, size int64)
	// RefusedToken is one request refused for its token, by error code.
	RefusedToken(code string)
	// Shed is one request refused or cut for load: "in_flight",
	// "uploads" (429), "slow_body" (408) or "slow_download" (cut).
	Shed(reason string)
}

// nopObserver is the Observer of a Server built without one.
type nopObserver struct{}

func (nopObserver) Request(string, string, int, time.Duration, int64, int64) {}
func (nopObserver) Upload(string, string, int64)                             {}
func (nopObserver) RefusedToken(string)                                      {}
func (nopObserver) Shed(string)                                              {}

// countingBody counts the bytes read from a request body: all of them for
// the request middleware's metrics, those up to the file part for the
// form reader's size estimate.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}
