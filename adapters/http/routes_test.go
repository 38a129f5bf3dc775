package httpapi

import (
	"slices"
	"testing"
)

// TestRoutesDescribed checks the router against the OpenAPI document both
// ways: every Gin route is described, every described route is served.
func TestRoutesDescribed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var served []Route
	for _, r := range h.srv.engine.Routes() {
		served = append(served, Route{Method: r.Method, Path: r.Path})
	}
	described := DescribedRoutes()
	for _, r := range served {
		if !slices.Contains(described, r) {
			t.Errorf("%s %s is routed but not described in openapi.json", r.Method, r.Path)
		}
	}
	for _, r := range described {
		if !slices.Contains(served, r) {
			t.Errorf("%s %s is described in openapi.json but not routed", r.Method, r.Path)
		}
	}
	if len(served) < 12 {
		t.Errorf("got %d routes, want every endpoint", len(served))
	}
}

// TestBlobRouteOnlyWithDownload: without a Download use case (a store
// that presigns its own URLs) the local blob route does not exist.
func TestBlobRouteOnlyWithDownload(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(nil, nil, nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.engine.Routes() {
		if r.Path == blobRoute {
			t.Errorf("got route %s %s without a Download use case", r.Method, r.Path)
		}
	}
}
