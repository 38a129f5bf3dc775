package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

const pageOrigin = "http://127.0.0.1:5173"

// fromPage is the header set of a request sent by a page of pageOrigin.
func fromPage(kv ...string) http.Header {
	h := http.Header{"Origin": {pageOrigin}}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// wantCORS fails unless r lets a page of pageOrigin read it.
func wantCORS(t *testing.T, what string, r response, allow string) {
	t.Helper()
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != allow {
		t.Errorf("%s: Access-Control-Allow-Origin got %q, want %q", what, got, allow)
	}
}

// TestCORSLocalFlow: with the development default (any origin), a page on
// another origin can upload, sign, download a local signed URL, drive a
// multipart upload with local part PUTs, and read an error, each call
// preceded by the preflight a browser sends.
func TestCORSLocalFlow(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	preflight := func(method, path, headers string) {
		t.Helper()
		r := a.Do(http.MethodOptions, path, "", nil, fromPage("Access-Control-Request-Method", method,
			"Access-Control-Request-Headers", headers))
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("preflight %s %s: got %d %v, want 204 allowing any origin", method, path, r.Status, r.Header)
		}
	}

	preflight(http.MethodPost, "/api/storage/signed-url", "authorization,content-type")
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(256))
	r := a.Do(http.MethodPost, "/api/storage/signed-url", member, strings.NewReader(`{"file_path": "`+rec.FilePath+`"}`),
		fromPage("Content-Type", "application/json"))
	wantCORS(t, "signed-url", r, "*")
	var signed struct{ URL string }
	r.JSON(t, &signed)
	r = a.Do(http.MethodGet, signed.URL, "", nil, fromPage())
	if r.Status != http.StatusOK {
		t.Fatalf("download: got %d", r.Status)
	}
	wantCORS(t, "local signed-URL download", r, "*")
	if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Content-Disposition") {
		t.Errorf("download: Access-Control-Expose-Headers %q, want Content-Disposition in it", r.Header.Get("Access-Control-Expose-Headers"))
	}

	data := pngOf(6 << 20)
	s := a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d2", "filename": "b.png"`, len(data))
	urls := a.partURLs(member, s)
	preflight(http.MethodPut, urls[0].URL, "content-type")
	var parts []sentPart
	for _, u := range urls {
		start := int64(u.PartNumber-1) * s.PartSize
		r := a.Do(http.MethodPut, u.URL, "", bytes.NewReader(data[start:start+u.Size]), fromPage("Content-Type", "application/octet-stream"))
		if r.Status != http.StatusOK {
			t.Fatalf("part %d: got %d %s", u.PartNumber, r.Status, r.Body)
		}
		wantCORS(t, "part PUT", r, "*")
		if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Etag") {
			t.Errorf("part PUT: Access-Control-Expose-Headers %q, want ETag in it", r.Header.Get("Access-Control-Expose-Headers"))
		}
		parts = append(parts, sentPart{PartNumber: u.PartNumber, ETag: r.Header.Get("ETag")})
	}
	if r := a.complete(member, s.UploadID, parts); r.Status != http.StatusCreated {
		t.Fatalf("complete: got %d %s", r.Status, r.Body)
	}

	r = a.Do(http.MethodGet, "/api/storage/metadata/org-1/workspace/doc/d1/none.png", member, nil, fromPage())
	want(t, "missing file", r, http.StatusNotFound, "not_found")
	wantCORS(t, "404", r, "*")
}

// TestCORSOriginList: with STORAGEGW_CORS_ORIGINS set, only the listed
// origins may read answers.
func TestCORSOriginList(t *testing.T) {
	t.Parallel()
	a := newAPI(t, map[string]string{"STORAGEGW_CORS_ORIGINS": "https://app.example.com, " + pageOrigin})
	r := a.Do(http.MethodGet, "/api/storage/files", a.Token("org-1", "viewer"), nil, fromPage())
	if r.Status != http.StatusOK {
		t.Fatalf("list: got %d %s", r.Status, r.Body)
	}
	wantCORS(t, "listed origin", r, pageOrigin)
	r = a.Do(http.MethodGet, "/api/storage/files", "", nil, http.Header{"Origin": {"https://evil.example.com"}})
	wantCORS(t, "unlisted origin", r, "")
}
