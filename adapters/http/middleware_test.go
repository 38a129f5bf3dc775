package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestRequestID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name, sent string
		echoed     bool
	}{
		{"absent", "", false},
		{"valid", "req-123_abc.def:9", true},
		{"too long", strings.Repeat("a", maxRequestIDBytes+1), false},
		{"bad characters", "abc\"}{def", false},
		{"spaces", "a b", false},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		if tc.sent != "" {
			req.Header.Set(requestIDHeader, tc.sent)
		}
		got := h.do(req, "").Header().Get(requestIDHeader)
		switch {
		case tc.echoed && got != tc.sent:
			t.Errorf("%s: got %q, want it echoed", tc.name, got)
		case !tc.echoed && (got == tc.sent || !validRequestID(got)):
			t.Errorf("%s: got %q, want a fresh valid id", tc.name, got)
		}
	}
}

func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.engine.GET("/api/storage/panic", func(*gin.Context) { panic("db password is hunter2") })
	rec := h.do(httptest.NewRequest(http.MethodGet, "/api/storage/panic", nil), "")
	want := `{"error":{"code":"internal","message":"An internal error occurred."}}`
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
		t.Errorf("got %d %s, want 500 %s", rec.Code, rec.Body.String(), want)
	}
	if rec.Header().Get(requestIDHeader) == "" {
		t.Error("no request id on a recovered panic")
	}
	lines := h.logs.FilterMessage("request").All()
	if len(lines) != 1 || lines[0].ContextMap()["status"] != int64(500) || lines[0].ContextMap()["stack"] == nil {
		t.Errorf("log: got %+v, want one error line with status 500 and the stack", lines)
	}
}

func TestRequestLogLine(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "viewer")
	req := httptest.NewRequest(http.MethodGet, "/api/storage/metadata/org-1/workspace/doc/d1/a.txt?sig=SECRET", nil)
	req.Header.Set(requestIDHeader, "rid-1")
	h.do(req, tok)
	h.do(httptest.NewRequest(http.MethodGet, "/api/storage/files", nil), "not-a-token")
	h.do(httptest.NewRequest(http.MethodGet, "/nowhere?x=1", nil), "")
	lines := h.logs.FilterMessage("request").All()
	if len(lines) != 3 {
		t.Fatalf("got %d log lines, want one per request", len(lines))
	}
	first := lines[0].ContextMap()
	want := map[string]any{"request_id": "rid-1", "method": "GET", "route": "/api/storage/metadata/*file_path",
		"status": int64(404), "org": "org-1", "user": "user-viewer", "role": "viewer", "error_code": "not_found"}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("log field %s: got %v, want %v", k, first[k], v)
		}
	}
	if second := lines[1].ContextMap(); second["error_code"] != "token_invalid" || second["status"] != int64(401) {
		t.Errorf("refused token: got %v, want it logged with token_invalid", second)
	}
	if third := lines[2].ContextMap(); third["route"] != "(unmatched)" {
		t.Errorf("unmatched route: got %v", third)
	}
	for _, l := range lines {
		for k, v := range l.ContextMap() {
			if s, ok := v.(string); ok && (strings.Contains(s, "SECRET") || strings.Contains(s, tok) || strings.Contains(s, "not-a-token")) {
				t.Errorf("log field %s leaks the query or a token: %q", k, s)
			}
		}
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	wantError(t, "unknown route", h.do(httptest.NewRequest(http.MethodGet, "/api/storage/nope", nil), ""), http.StatusNotFound, codeRouteNotFound)
	rec := h.do(httptest.NewRequest(http.MethodPut, "/api/storage/upload", nil), "")
	wantError(t, "wrong method", rec, http.StatusMethodNotAllowed, codeMethodNotAllowed)
	if rec.Header().Get("Allow") != http.MethodPost {
		t.Errorf("Allow: got %q, want POST", rec.Header().Get("Allow"))
	}
}
