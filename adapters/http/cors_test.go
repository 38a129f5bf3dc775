package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const testOrigin = "http://app.localhost:5173"

// corsDo sends one request over a real connection to srv, from origin
// ("" for none), and returns the answer with its body read.
func corsDo(t *testing.T, srv *httptest.Server, method, path, origin string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// preflightHeader asks for method and headers as a browser does: the
// header names lowercase, sorted, comma-separated.
func preflightHeader(method, headers string) http.Header {
	h := http.Header{"Access-Control-Request-Method": {method}}
	if headers != "" {
		names := strings.Split(strings.ToLower(headers), ",")
		slices.Sort(names)
		h.Set("Access-Control-Request-Headers", strings.Join(names, ","))
	}
	return h
}

// wantList fails unless the comma-separated header value names every item.
func wantList(t *testing.T, what, got string, items ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, v := range strings.Split(got, ",") {
		have[strings.ToLower(strings.TrimSpace(v))] = true
	}
	for _, it := range items {
		if !have[strings.ToLower(it)] {
			t.Errorf("%s: got %q, want it to name %s", what, got, it)
		}
	}
}

// TestCORSPreflight: a preflight from an allowed origin is 204 with the
// full lists of methods and headers, a Max-Age and Vary, on API routes,
// the local blob and part routes and unknown routes alike, with no token
// and while the service sheds load.
func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) {
		o.CORSOrigins = []string{testOrigin}
		o.Limits = Limits{MaxInFlight: 1}
	})
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	release := blockedUpload(t, h, token(t, "org-1", "member")) // the one request in flight
	defer release()

	for _, tt := range []struct{ method, path, headers string }{
		{http.MethodPost, "/api/storage/upload", "authorization,x-request-id,idempotency-key"},
		{http.MethodPost, "/api/storage/signed-url", "authorization,content-type"},
		{http.MethodDelete, "/api/storage/delete", "authorization,content-type"},
		{http.MethodGet, "/api/storage/files", "authorization"},
		{http.MethodGet, blobRoute, ""},
		{http.MethodGet, blobRoute, "range"}, // bytes=-N: the last N bytes
		{http.MethodPut, partRoute, "content-type"},
		{http.MethodPatch, "/api/storage/tus/x", "tus-resumable,upload-offset,content-type"},
		{http.MethodPost, "/no/such/route", "authorization,upload-length,upload-metadata,upload-defer-length,upload-concat"},
	} {
		res, body := corsDo(t, srv, http.MethodOptions, tt.path, testOrigin, preflightHeader(tt.method, tt.headers))
		if res.StatusCode != http.StatusNoContent || body != "" {
			t.Errorf("preflight %s %s: got %d %q, want 204 and no body", tt.method, tt.path, res.StatusCode, body)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != testOrigin {
			t.Errorf("preflight %s %s: Access-Control-Allow-Origin got %q, want %q", tt.method, tt.path, got, testOrigin)
		}
		wantList(t, "Access-Control-Allow-Methods", res.Header.Get("Access-Control-Allow-Methods"),
			"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
		wantList(t, "Access-Control-Allow-Headers", res.Header.Get("Access-Control-Allow-Headers"),
			"Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID", "Range", "Tus-Resumable", "Upload-Length",
			"Upload-Offset", "Upload-Metadata", "Upload-Defer-Length", "Upload-Concat")
		if got := res.Header.Get("Access-Control-Max-Age"); got != "600" {
			t.Errorf("Access-Control-Max-Age: got %q, want 600", got)
		}
		wantList(t, "Vary", strings.Join(res.Header.Values("Vary"), ","), "Origin")
		if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("Access-Control-Allow-Credentials: got %q, want none (bearer tokens, not cookies)", got)
		}
	}
}

// TestCORSActualAnswers: every answer to an allowed origin, successes and
// refusals (401, 404, 405, 429) alike, carries Access-Control-Allow-Origin,
// the exposed headers and Vary: Origin, so a page can read the error code.
func TestCORSActualAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.CORSOrigins = []string{testOrigin} })
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	rec := h.uploadPNG(t, "org-1", "a.png", 64)
	signed := decode[struct{ URL string }](t, h.doJSON(t, http.MethodPost, "/api/storage/signed-url",
		`{"file_path": "`+rec.FilePath+`"}`, token(t, "org-1", "viewer")))
	blobPath := strings.TrimPrefix(signed.URL, "http://files.example")
	auth := http.Header{"Authorization": {"Bearer " + token(t, "org-1", "viewer")}}

	for _, tt := range []struct {
		name, method, path string
		header             http.Header
		status             int
	}{
		{"list", http.MethodGet, "/api/storage/files", auth, http.StatusOK},
		{"local signed-URL download", http.MethodGet, blobPath, nil, http.StatusOK},
		{"tampered signed URL", http.MethodGet, blobRoute + "?t=x", nil, http.StatusForbidden},
		{"no token", http.MethodGet, "/api/storage/files", nil, http.StatusUnauthorized},
		{"unknown route", http.MethodGet, "/api/storage/nothing", nil, http.StatusNotFound},
		{"plain OPTIONS", http.MethodOptions, "/api/storage/files", nil, http.StatusMethodNotAllowed},
	} {
		res, body := corsDo(t, srv, tt.method, tt.path, testOrigin, tt.header)
		if res.StatusCode != tt.status {
			t.Errorf("%s: got %d %s, want %d", tt.name, res.StatusCode, body, tt.status)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != testOrigin {
			t.Errorf("%s: Access-Control-Allow-Origin got %q, want %q", tt.name, got, testOrigin)
		}
		wantList(t, tt.name+": Access-Control-Expose-Headers", res.Header.Get("Access-Control-Expose-Headers"),
			"ETag", "X-Request-ID", "Content-Disposition", "Content-Length", "Location", "Idempotent-Replayed",
			"Storage-File-Path", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size", "Upload-Offset",
			"Upload-Length", "Upload-Expires", "Upload-Metadata", "Retry-After")
		wantList(t, tt.name+": Vary", strings.Join(res.Header.Values("Vary"), ","), "Origin")
	}
}

// TestCORSShedAnswer: a 429 carries the CORS headers, so a page can read
// Retry-After.
func TestCORSShedAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) {
		o.CORSOrigins = []string{"*"}
		o.Limits = Limits{MaxInFlight: 1}
	})
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	release := blockedUpload(t, h, token(t, "org-1", "member"))
	defer release()
	res, body := corsDo(t, srv, http.MethodGet, "/api/storage/files", testOrigin,
		http.Header{"Authorization": {"Bearer " + token(t, "org-1", "viewer")}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("list while full: got %d %s, want 429", res.StatusCode, body)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin: got %q, want *", got)
	}
}

// TestCORSOrigins: which origins are allowed under each setting.
func TestCORSOrigins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		origins []string
		origin  string
		want    string // Access-Control-Allow-Origin, "" for none
	}{
		{"any origin", []string{"*"}, "https://anything.example", "*"},
		{"listed origin", []string{"https://a.example", testOrigin}, testOrigin, testOrigin},
		{"unlisted origin", []string{"https://a.example"}, testOrigin, ""},
		{"another port", []string{"http://app.localhost:3000"}, testOrigin, ""},
		{"wildcard subdomain", []string{"https://*.example.com"}, "https://ws.example.com", "https://ws.example.com"},
		{"wildcard other domain", []string{"https://*.example.com"}, "https://ws.example.org", ""},
		{"none", nil, testOrigin, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(o *Options) { o.CORSOrigins = tt.origins })
			srv := httptest.NewServer(h.h)
			t.Cleanup(srv.Close)
			res, _ := corsDo(t, srv, http.MethodOptions, "/api/storage/files", tt.origin, preflightHeader(http.MethodGet, "authorization"))
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
				t.Errorf("preflight: Access-Control-Allow-Origin got %q, want %q", got, tt.want)
			}
			if tt.want == "" && res.Header.Get("Access-Control-Allow-Headers") != "" {
				t.Errorf("refused preflight: got Access-Control-Allow-Headers %q, want none", res.Header.Get("Access-Control-Allow-Headers"))
			}
			res, _ = corsDo(t, srv, http.MethodGet, "/api/storage/files", tt.origin, nil)
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
				t.Errorf("401: Access-Control-Allow-Origin got %q, want %q", got, tt.want)
			}
			wantList(t, "Vary", strings.Join(res.Header.Values("Vary"), ","), "Origin")
		})
	}
}

// TestCORSPreflightRefusesUnknownHeader: a header the service does not
// take fails the preflight (no allow headers), so the browser refuses the
// call instead of sending what would be ignored.
func TestCORSPreflightRefusesUnknownHeader(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.CORSOrigins = []string{"*"} })
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	res, _ := corsDo(t, srv, http.MethodOptions, "/api/storage/files", testOrigin, preflightHeader(http.MethodGet, "authorization,x-secret"))
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin: got %q, want none", got)
	}
}
