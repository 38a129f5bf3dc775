package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/domain"
)

func TestReadyz(t *testing.T) {
	t.Parallel()
	dbDown := domain.Wrap(domain.ErrUnavailable, "database_unavailable", "The database is unavailable; try again later.",
		errors.New("dial tcp 10.0.0.5:5432: connection refused"))
	ok := func(context.Context) error { return nil }
	slow := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name       string
		db, blobs  func(context.Context) error
		wantStatus int
		want       readyJSON
	}{
		{"all ok", ok, ok, http.StatusOK, readyJSON{Status: "ok", Checks: map[string]readyCheckJSON{
			"database": {Status: "ok"}, "blob_store": {Status: "ok"}}}},
		{"database down", func(context.Context) error { return dbDown }, ok, http.StatusServiceUnavailable,
			readyJSON{Status: "unavailable", Checks: map[string]readyCheckJSON{
				"database":   {Status: "unavailable", Error: "database_unavailable: The database is unavailable; try again later."},
				"blob_store": {Status: "ok"}}}},
		{"store times out", ok, slow, http.StatusServiceUnavailable, readyJSON{Status: "unavailable", Checks: map[string]readyCheckJSON{
			"database": {Status: "ok"}, "blob_store": {Status: "unavailable", Error: "no answer within 50ms"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(o *Options) {
				o.ReadinessTimeout = 50 * time.Millisecond
				o.Readiness = []ReadinessCheck{{"database", tc.db}, {"blob_store", tc.blobs}}
			})
			rec := h.doJSON(t, http.MethodGet, "/readyz", "", "")
			if rec.Code != tc.wantStatus {
				t.Fatalf("status: got %d %s, want %d", rec.Code, rec.Body.String(), tc.wantStatus)
			}
			got := decode[readyJSON](t, rec)
			if got.Status != tc.want.Status || len(got.Checks) != 2 || got.Checks["database"] != tc.want.Checks["database"] ||
				got.Checks["blob_store"] != tc.want.Checks["blob_store"] {
				t.Errorf("body: got %+v, want %+v", got, tc.want)
			}
			if strings.Contains(rec.Body.String(), "10.0.0.5") {
				t.Error("internal error text leaked")
			}
		})
	}
}

func TestMetricsRouteOnlyWithHandler(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.Metrics = nil })
	wantError(t, "GET /metrics without a handler", h.doJSON(t, http.MethodGet, "/metrics", "", ""), http.StatusNotFound, codeRouteNotFound)
	h = newHarness(t, func(o *Options) {
		o.Metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("m 1\n")) })
	})
	if rec := h.doJSON(t, http.MethodGet, "/metrics", "", ""); rec.Code != http.StatusOK || rec.Body.String() != "m 1\n" {
		t.Errorf("GET /metrics: got %d %q", rec.Code, rec.Body.String())
	}
}

// recordingObserver remembers what the adapter reported.
type recordingObserver struct {
	mu       sync.Mutex
	requests []string
	uploads  []string
	refused  []string
	shed     []string
	in, out  int64
}

func (o *recordingObserver) Request(route, method string, status int, _ time.Duration, in, out int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, sprintf("%s %s %d", method, route, status))
	o.in += in
	o.out += out
}

func (o *recordingObserver) Upload(system, objectType string, size int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.uploads = append(o.uploads, sprintf("%s/%s %d", system, objectType, size))
}

func (o *recordingObserver) RefusedToken(code string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refused = append(o.refused, code)
}

func (o *recordingObserver) Shed(reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.shed = append(o.shed, reason)
}

func (o *recordingObserver) sheds() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.shed...)
}

func TestObserverHearsRequestsUploadsAndRefusals(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	h := newHarness(t, func(o *Options) { o.Observer = obs })
	rec := h.uploadPNG(t, "org-1", "a.png", 300)
	h.doJSON(t, http.MethodGet, "/api/storage/metadata/"+rec.FilePath, "", "")
	h.do(httptest.NewRequest(http.MethodGet, "/nowhere/x", nil), "")
	obs.mu.Lock()
	defer obs.mu.Unlock()
	want := []string{"POST /api/storage/upload 201", "GET /api/storage/metadata/*file_path 401", "GET (unmatched) 404"}
	if !slices.Equal(obs.requests, want) {
		t.Errorf("requests: got %q, want %q", obs.requests, want)
	}
	if want := []string{"workspace/doc 300"}; !slices.Equal(obs.uploads, want) {
		t.Errorf("uploads: got %q, want %q", obs.uploads, want)
	}
	if want := []string{"token_missing"}; !slices.Equal(obs.refused, want) {
		t.Errorf("refused: got %q, want %q", obs.refused, want)
	}
	if obs.in < 300 || obs.out == 0 {
		t.Errorf("bytes: got in %d, out %d", obs.in, obs.out)
	}
}

func TestRestoreEndpoint(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.uploadPNG(t, "org-1", "a.png", 100)
	body := `{"file_path": "` + rec.FilePath + `"}`
	if r := h.doJSON(t, http.MethodDelete, "/api/storage/delete", body, token(t, "org-1", "member")); r.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", r.Code, r.Body.String())
	}
	wantError(t, "member", h.doJSON(t, http.MethodPost, "/api/storage/restore", body, token(t, "org-1", "member")), http.StatusForbidden, "forbidden")
	wantError(t, "unknown field", h.doJSON(t, http.MethodPost, "/api/storage/restore", `{"file_path": "x", "hard": true}`, token(t, "org-1", "admin")),
		http.StatusBadRequest, "unknown_field")
	r := h.doJSON(t, http.MethodPost, "/api/storage/restore", body, token(t, "org-1", "admin"))
	if r.Code != http.StatusOK {
		t.Fatalf("restore: %d %s", r.Code, r.Body.String())
	}
	if got := decode[fileRecordJSON](t, r); got.Deleted || got.DeletedAt != nil || got.FilePath != rec.FilePath {
		t.Errorf("restored record: got %+v", got)
	}
	wantError(t, "again", h.doJSON(t, http.MethodPost, "/api/storage/restore", body, token(t, "org-1", "admin")), http.StatusNotFound, "not_found")
}
