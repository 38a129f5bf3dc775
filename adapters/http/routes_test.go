package httpapi

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"storagegw/adapters/localfs"
	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// TestRoutesDescribed checks the router against the OpenAPI document both
// ways: every Gin route is described, every described route is served by
// a server with every capability (local disk's: its signer verifies its
// URLs, its store receives parts).
func TestRoutesDescribed(t *testing.T) {
	t.Parallel()
	signer, err := localfs.NewSigner("http://files.example", bytes.Repeat([]byte("k"), localfs.MinKeyBytes), nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := application.SystemClock{}
	store := blobstoretest.NewMemoryMultipart(clock)
	app := application.New(store, nil, nil, nil, nil, nil, signer, clock,
		application.Options{Capabilities: application.CapabilityOptions{Sealer: refusingSealer{}}})
	app.EnableTus(memrepo.NewTusUploads(), store, application.TusOptions{})
	app.EnableLinks(memrepo.NewLinks(), application.LinkOptions{})
	app.EnableLegalHolds(memrepo.NewLegalHolds())
	app.EnableVersions(memrepo.NewVersions(memrepo.NewFiles()))
	if app.Download == nil || app.ReceivePart == nil || app.CapabilityUploads == nil {
		t.Fatalf("local capabilities: got Download %v, ReceivePart %v", app.Download, app.ReceivePart)
	}
	srv, err := NewServer(app, nil, nil, Options{Metrics: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	var served []Route
	for _, r := range srv.engine.Routes() {
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

// TestBlobRouteOnlyWithDownload: without the Download and ReceivePart
// capabilities (a store that presigns its own URLs and receives its own
// parts, as Spaces does) the local blob and part routes do not exist.
func TestBlobRouteOnlyWithDownload(t *testing.T) {
	t.Parallel()
	for name, app := range map[string]*application.Application{"no application": nil, "no capabilities": {}} {
		srv, err := NewServer(app, nil, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range srv.engine.Routes() {
			if r.Path == blobRoute || r.Path == partRoute {
				t.Errorf("%s: got route %s %s without its capability", name, r.Method, r.Path)
			}
		}
	}
}

// refusingSealer is an upload capability sealer that opens nothing, so
// the capability routes exist.
type refusingSealer struct{}

func (refusingSealer) Seal(*domain.UploadCapability) (string, error) {
	return "", domain.ErrUnavailable
}

func (refusingSealer) Open(string) (*domain.UploadCapability, error) { return nil, domain.ErrForbidden }
