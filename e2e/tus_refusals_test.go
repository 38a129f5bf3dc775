package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tusMeta encodes Upload-Metadata from key, value pairs.
func tusMeta(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

func tusHeader(kv ...string) http.Header {
	h := http.Header{"Tus-Resumable": {"1.0.0"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// tusCreate creates an upload of length bytes and returns its path.
func (a *api) tusCreate(tok string, length int, meta string) string {
	a.T.Helper()
	r := a.Do(http.MethodPost, "/api/storage/tus/", tok, nil, tusHeader("Upload-Length", strconv.Itoa(length), "Upload-Metadata", meta))
	if r.Status != http.StatusCreated || r.Header.Get("Location") == "" || r.Header.Get("Upload-Expires") == "" {
		a.T.Fatalf("create: got %d %v %s, want 201 with Location and Upload-Expires", r.Status, r.Header, r.Body)
	}
	return r.Header.Get("Location")
}

func (a *api) tusPatch(tok, loc string, offset int, body []byte) response {
	return a.Do(http.MethodPatch, loc, tok, bytes.NewReader(body),
		tusHeader("Upload-Offset", strconv.Itoa(offset), "Content-Type", "application/offset+octet-stream"))
}

// pdfOf is n bytes that sniff as a PDF.
func pdfOf(n int) []byte {
	b := bytes.Repeat([]byte{' '}, n)
	copy(b, pdfBytes)
	return b
}

var docMeta = tusMeta("system", "workspace", "object_type", "pdf", "object_id", "d1", "filename", "a.pdf")

// TestTusRefusals: each refusal of the TUS routes, with the API's JSON
// errors and TUS's statuses.
func TestTusRefusals(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member, viewer, other := a.Token("org-1", "member"), a.Token("org-1", "viewer"), a.Token("org-2", "member")

	r := a.Do(http.MethodPost, "/api/storage/tus/", viewer, nil, tusHeader("Upload-Length", "10", "Upload-Metadata", docMeta))
	want(t, "viewer create", r, http.StatusForbidden, "forbidden")
	r = a.Do(http.MethodPost, "/api/storage/tus/", member, nil, tusHeader("Upload-Length", strconv.Itoa(21<<20),
		"Upload-Metadata", tusMeta("system", "accounting", "object_type", "receipt", "object_id", "r1", "filename", "r.pdf")))
	want(t, "receipt over 20 MiB", r, http.StatusRequestEntityTooLarge, "file_too_large")
	r = a.Do(http.MethodPost, "/api/storage/tus/", member, nil, tusHeader("Upload-Length", "10",
		"Upload-Metadata", tusMeta("system", "workspace", "object_type", "pdf", "object_id", "d1")))
	want(t, "no filename", r, http.StatusBadRequest, "missing_metadata")
	r = a.Do(http.MethodPost, "/api/storage/tus/", member, nil, tusHeader("Upload-Metadata", docMeta))
	want(t, "no Upload-Length", r, http.StatusBadRequest, "upload_length_required")
	r = a.Do(http.MethodPost, "/api/storage/tus/", member, nil, http.Header{"Upload-Length": {"10"}, "Upload-Metadata": {docMeta}})
	want(t, "no Tus-Resumable", r, http.StatusPreconditionFailed, "tus_version_unsupported")
	r = a.Do(http.MethodPost, "/api/storage/tus/", "", nil, tusHeader("Upload-Length", "10", "Upload-Metadata", docMeta))
	want(t, "no token", r, http.StatusUnauthorized, "token_missing")
	r = a.Do(http.MethodPost, "/api/storage/tus/", member, strings.NewReader("x"), tusHeader("Upload-Length", "10",
		"Upload-Metadata", docMeta, "Content-Type", "text/plain"))
	want(t, "a creation's body of another type", r, http.StatusUnsupportedMediaType, "invalid_content_type")
	// A body of unknown length (chunked) longer than the upload: refused
	// once it holds more than Upload-Length, nothing recorded.
	r = a.Do(http.MethodPost, "/api/storage/tus/", member, io.MultiReader(bytes.NewReader(pdfOf(120))), tusHeader("Upload-Length", "100",
		"Upload-Metadata", docMeta, "Content-Type", "application/offset+octet-stream"))
	want(t, "a chunked creation body longer than the upload", r, http.StatusRequestEntityTooLarge, "upload_length_exceeded")
	if r := a.Get("/api/storage/metadata/org-1/workspace/pdf/d1/a.pdf", member); r.Status != http.StatusNotFound {
		t.Errorf("metadata after a creation body too long: got %d, want 404 (nothing recorded)", r.Status)
	}

	loc := a.tusCreate(member, 100, docMeta)
	for _, m := range []string{http.MethodHead, http.MethodPatch, http.MethodDelete} {
		var r response
		if m == http.MethodPatch {
			r = a.tusPatch(other, loc, 0, []byte("x"))
		} else {
			r = a.Do(m, loc, other, nil, tusHeader())
		}
		if r.Status != http.StatusNotFound {
			t.Errorf("%s by another org: got %d, want 404", m, r.Status)
		}
	}
	want(t, "offset mismatch", a.tusPatch(member, loc, 5, []byte("x")), http.StatusConflict, "offset_mismatch")
	want(t, "too long a body", a.tusPatch(member, loc, 0, make([]byte, 101)), http.StatusRequestEntityTooLarge, "upload_length_exceeded")
	r = a.Do(http.MethodPatch, loc, member, strings.NewReader("x"), tusHeader("Upload-Offset", "0", "Content-Type", "text/plain"))
	want(t, "wrong content type", r, http.StatusUnsupportedMediaType, "invalid_content_type")

	// The final PATCH of bytes that are not a PDF: 415, nothing recorded.
	junk := bytes.Repeat([]byte("not a pdf "), 10)
	r = a.tusPatch(member, loc, 0, junk)
	if r.Status != http.StatusUnsupportedMediaType || r.Header.Get("Storage-File-Path") != "" {
		t.Fatalf("final PATCH of the wrong type: got %d %s, want 415 without Storage-File-Path", r.Status, r.Body)
	}
	if r := a.Do(http.MethodHead, loc, member, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("HEAD after a refused completion: got %d, want 404", r.Status)
	}
	if r := a.Get("/api/storage/metadata/org-1/workspace/pdf/d1/a.pdf", member); r.Status != http.StatusNotFound {
		t.Errorf("metadata after a refused completion: got %d, want 404 (nothing recorded)", r.Status)
	}
	if left := filesUnder(t, a.Cfg.DataDir, "blobs"); len(left) != 0 {
		t.Errorf("blobs after a refused completion: %v, want none", left)
	}

	// Termination: 204, then the upload is gone.
	loc = a.tusCreate(member, 100, docMeta)
	want(t, "a first chunk", a.tusPatch(member, loc, 0, pdfOf(40)), http.StatusNoContent, "")
	if r := a.Do(http.MethodDelete, loc, member, nil, tusHeader()); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: got %d %s, want 204", r.Status, r.Body)
	}
	if r := a.Do(http.MethodHead, loc, member, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("HEAD after DELETE: got %d, want 404", r.Status)
	}
	if left := filesUnder(t, a.Cfg.DataDir, "blobs"); len(left) != 0 {
		t.Errorf("blobs after DELETE: %v, want none", left)
	}
}

// TestTusCreationWithUploadAndCleanup: a creation that carries the whole
// file completes it, with one UPLOAD event; an expired upload is removed by the clean-up, its
// segment included.
func TestTusCreationWithUploadAndCleanup(t *testing.T) {
	t.Parallel()
	a := newAPI(t, map[string]string{"STORAGEGW_MULTIPART_SESSION_TTL": "1m"})
	member := a.Token("org-1", "member")
	body := pdfOf(3000)
	h := tusHeader("Upload-Length", strconv.Itoa(len(body)), "Upload-Metadata", docMeta, "Content-Type", "application/offset+octet-stream")
	r := a.Do(http.MethodPost, "/api/storage/tus/", member, bytes.NewReader(body), h)
	if r.Status != http.StatusCreated || r.Header.Get("Storage-File-Path") != "org-1/workspace/pdf/d1/a.pdf" ||
		r.Header.Get("Upload-Offset") != strconv.Itoa(len(body)) {
		t.Fatalf("creation with the whole file: got %d %v %s", r.Status, r.Header, r.Body)
	}
	// One request, one event: the completion's UPLOAD (no MULTIPART_INITIATE).
	evs := a.AuditLog("org-1", "file_path=org-1/workspace/pdf/d1/a.pdf")
	if len(evs) != 1 || evs[0].ActionType != "UPLOAD" || !evs[0].Success || evs[0].Metadata["creation_with_upload"] != true {
		t.Fatalf("events of a creation with the whole file: got %+v, want one UPLOAD with creation_with_upload", evs)
	}

	loc := a.tusCreate(member, 10<<20, tusMeta("system", "workspace", "object_type", "pdf", "object_id", "d2", "filename", "b.pdf"))
	want(t, "a segment", a.tusPatch(member, loc, 0, pdfOf(1<<20)), http.StatusNoContent, "")
	segments := func() (n int) {
		for _, f := range filesUnder(t, a.Cfg.DataDir, "blobs") {
			if strings.Contains(f, ".tus-") {
				n++
			}
		}
		return n
	}
	if segments() != 1 {
		t.Fatalf("segments after 1 MiB of a 5 MiB part: got %d, want 1", segments())
	}
	if _, err := a.Svc.App.CleanupUploads.Run(context.Background()); err != nil || segments() != 1 {
		t.Fatalf("clean-up before expiry: %v, %d segments, want the live upload's one kept", err, segments())
	}
	id := strings.TrimPrefix(loc, "/api/storage/tus/")
	for _, table := range []string{"upload_sessions", "tus_uploads"} {
		if _, err := a.Svc.DB.SQL().ExecContext(context.Background(),
			"UPDATE "+table+" SET expires_at = ? WHERE id = ?", time.Now().Add(-time.Minute).UTC(), id); err != nil {
			t.Fatal(err)
		}
	}
	if r := a.Do(http.MethodHead, loc, member, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("HEAD of an expired upload: got %d, want 404", r.Status)
	}
	rep, err := a.Svc.App.CleanupUploads.Run(context.Background())
	if err != nil || rep.Sessions != 1 || rep.TusUploads != 1 {
		t.Fatalf("clean-up: got %+v, %v, want one session and one TUS upload", rep, err)
	}
	if files := filesUnder(t, a.Cfg.BlobRoot(), "tmp"); len(files) != 0 {
		t.Errorf("multipart files left: %v", files)
	}
	if n := segments(); n != 0 {
		t.Errorf("segments after the clean-up: got %d, want 0", n)
	}
}

// TestTusCreationIdempotent: a TUS creation repeated with its
// Idempotency-Key gets the first answer (the same upload URL) instead of
// a second upload; the key on another creation is 422.
func TestTusCreationIdempotent(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member := a.Token("org-1", "member")
	create := func(length string) response {
		return a.Do(http.MethodPost, "/api/storage/tus/", member, nil,
			tusHeader("Upload-Length", length, "Upload-Metadata", docMeta, "Idempotency-Key", "tus-create-1"))
	}
	first := create("10")
	if first.Status != http.StatusCreated || first.Header.Get("Location") == "" {
		t.Fatalf("first creation: %d %s", first.Status, first.Body)
	}
	again := create("10")
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" ||
		again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("replay: %d replayed=%q location %q, want 201 true %q", again.Status,
			again.Header.Get("Idempotent-Replayed"), again.Header.Get("Location"), first.Header.Get("Location"))
	}
	if other := create("11"); other.Status != http.StatusUnprocessableEntity || other.Code() != "idempotency_key_reused" {
		t.Fatalf("another creation with the key: %d %s, want 422 idempotency_key_reused", other.Status, other.Body)
	}
}
