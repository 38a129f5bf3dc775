package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// TestMultipartRequests checks what the multipart handlers refuse before
// the use cases (which the end-to-end tests of the root package drive).
func TestMultipartRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	tests := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"initiate without size", "/api/storage/multipart/initiate",
			`{"system":"workspace","object_type":"doc","object_id":"d","filename":"a.pdf"}`, http.StatusBadRequest, "invalid_size"},
		{"initiate with a string size", "/api/storage/multipart/initiate",
			`{"system":"workspace","object_type":"doc","object_id":"d","filename":"a.pdf","size":"10"}`, http.StatusBadRequest, "invalid_json"},
		{"initiate with an unknown field", "/api/storage/multipart/initiate",
			`{"system":"workspace","object_type":"doc","object_id":"d","filename":"a.pdf","size":10,"org_id":"org-2"}`, http.StatusBadRequest, "unknown_field"},
		{"parts without numbers", "/api/storage/multipart/parts", `{"upload_id":"u"}`, http.StatusBadRequest, "invalid_part_numbers"},
		{"parts with both forms", "/api/storage/multipart/parts", `{"upload_id":"u","part_numbers":[1],"from":1,"to":2}`, http.StatusBadRequest, "invalid_part_numbers"},
		{"parts with half a range", "/api/storage/multipart/parts", `{"upload_id":"u","from":1}`, http.StatusBadRequest, "invalid_part_numbers"},
		{"parts with a reversed range", "/api/storage/multipart/parts", `{"upload_id":"u","from":3,"to":2}`, http.StatusBadRequest, "invalid_part_numbers"},
		{"parts with a huge range", "/api/storage/multipart/parts", `{"upload_id":"u","from":1,"to":1001}`, http.StatusBadRequest, "invalid_part_numbers"},
		{"complete with a bad part", "/api/storage/multipart/complete", `{"upload_id":"u","parts":[{"part_number":"1"}]}`, http.StatusBadRequest, "invalid_json"},
		{"abort with two objects", "/api/storage/multipart/abort", `{"upload_id":"u"}{}`, http.StatusBadRequest, "invalid_json"},
		// The harness's application has no upload sessions.
		{"initiate without sessions", "/api/storage/multipart/initiate",
			`{"system":"workspace","object_type":"doc","object_id":"d","filename":"a.pdf","size":10}`, http.StatusServiceUnavailable, "multipart_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.doJSON(t, http.MethodPost, tt.path, tt.body, tok)
			if got := errorCode(t, rec, tt.status); got != tt.code {
				t.Errorf("got code %q, want %q", got, tt.code)
			}
		})
	}
	rec := h.doJSON(t, http.MethodPost, "/api/storage/multipart/initiate", `{}`, "")
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("initiate without a token: got %d, want 401", rec.Code)
	}
	req, _ := http.NewRequest(http.MethodPut, "/api/storage/multipart/part?key=a", strings.NewReader("x"))
	if got := h.do(req, ""); got.Code != http.StatusNotFound {
		t.Errorf("part PUT on a store without it: got %d, want 404", got.Code)
	}
}
