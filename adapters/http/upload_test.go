package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"storagegw/domain/ziptest"
)

func docFields() []part {
	return []part{field("system", "workspace"), field("object_type", "doc"), field("object_id", "d1")}
}

func TestUploadForm(t *testing.T) {
	t.Parallel()
	png := pngBytes(100)
	tests := []struct {
		name  string
		parts []part
		code  string
	}{
		{"file part first", []part{file("a.png", png), field("system", "workspace"), field("object_type", "doc"), field("object_id", "d1")}, "missing_field"},
		{"required field missing", []part{field("system", "workspace"), field("object_id", "d1"), file("a.png", png)}, "missing_field"},
		{"two file parts", append(docFields(), file("a.png", png), file("b.png", png)), "too_many_files"},
		{"field after the file", append(docFields(), file("a.png", png), field("overwrite", "true")), "field_after_file"},
		{"no file part", docFields(), "file_missing"},
		{"unknown field", append(docFields(), field("org_id", "org-2"), file("a.png", png)), "unknown_field"},
		{"duplicate field", append(docFields(), field("object_id", "d2"), file("a.png", png)), "duplicate_field"},
		{"field too long", append(docFields(), field("overwrite", strings.Repeat("1", maxFieldBytes+1)), file("a.png", png)), "field_too_long"},
		{"file without a name", append(docFields(), part{name: fileField, body: png}), "filename_missing"},
		{"empty file", append(docFields(), file("a.png", nil)), "empty_file"},
		{"bad system", []part{field("system", "hr"), field("object_type", "doc"), field("object_id", "d1"), file("a.png", png)}, "invalid_system"},
		{"bad object id", []part{field("system", "workspace"), field("object_type", "doc"), field("object_id", "../x"), file("a.png", png)}, "invalid_object_id"},
	}
	for _, tc := range tests {
		h := newHarness(t)
		rec := h.upload(t, "/api/storage/upload", token(t, "org-1", "member"), tc.parts...)
		wantError(t, tc.name, rec, http.StatusBadRequest, tc.code)
		if rec.Header().Get("Connection") != "close" {
			t.Errorf("%s: refused upload without Connection: close", tc.name)
		}
		if h.files.Len() != 0 {
			t.Errorf("%s: a record was left behind", tc.name)
		}
		if keys, _ := h.blobs.List(t.Context(), "org-1/", "", 10); len(keys) != 0 {
			t.Errorf("%s: blobs left behind: %v", tc.name, keys)
		}
	}
}

func TestUploadNotMultipart(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.doJSON(t, http.MethodPost, "/api/storage/upload", `{"system":"workspace"}`, token(t, "org-1", "member"))
	wantError(t, "JSON body", rec, http.StatusBadRequest, "not_multipart")

	body, ct := form(t, append(docFields(), file("a.png", pngBytes(5000)))...)
	truncated := body.Bytes()[:body.Len()-200]
	req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", bytes.NewReader(truncated))
	req.Header.Set("Content-Type", ct)
	wantError(t, "truncated body", h.do(req, token(t, "org-1", "member")), http.StatusBadRequest, "malformed_body")
}

func TestUploadBoolFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	for i, v := range []string{"true", "1", "false", "0"} {
		rec := h.upload(t, "/api/storage/upload", tok, field("system", "workspace"), field("object_type", "doc"),
			field("object_id", sprintf("d%d", i)), field("add_timestamp", v), field("overwrite", v), file("a.png", pngBytes(100)))
		if rec.Code != http.StatusCreated {
			t.Errorf("%q: got %d %s", v, rec.Code, rec.Body.String())
			continue
		}
		got := decode[fileRecordJSON](t, rec)
		if stamped := got.Filename != "a.png"; stamped != (v == "true" || v == "1") {
			t.Errorf("add_timestamp=%s: got filename %q", v, got.Filename)
		}
	}
	for _, v := range []string{"yes", "TRUE", "", "on", "2"} {
		rec := h.upload(t, "/api/storage/upload", tok, append(docFields(), field("overwrite", v), file("a.png", pngBytes(100)))...)
		wantError(t, "overwrite="+v, rec, http.StatusBadRequest, "invalid_overwrite")
		rec = h.upload(t, "/api/storage/upload", tok, append(docFields(), field("add_timestamp", v), file("a.png", pngBytes(100)))...)
		wantError(t, "add_timestamp="+v, rec, http.StatusBadRequest, "invalid_add_timestamp")
	}
}

func TestUploadOverwrite(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.uploadPNG(t, "org-1", "a.png", 100)
	tok := token(t, "org-1", "member")
	rec := h.upload(t, "/api/storage/upload", tok, append(docFields(), file("a.png", pngBytes(200)))...)
	wantError(t, "again without overwrite", rec, http.StatusConflict, "file_exists")
	rec = h.upload(t, "/api/storage/upload", tok, append(docFields(), field("overwrite", "true"), file("a.png", pngBytes(200)))...)
	got := decode[fileRecordJSON](t, rec)
	if rec.Code != http.StatusCreated || got.SizeBytes != 200 || got.FilePath != first.FilePath {
		t.Errorf("overwrite: got %d %s", rec.Code, rec.Body.String())
	}
	if ev := h.lastEvent(t); ev.Action != "EDIT" || !ev.Success {
		t.Errorf("overwrite: audit %+v, want a successful EDIT", ev)
	}
	wantError(t, "viewer", h.upload(t, "/api/storage/upload", token(t, "org-1", "viewer"),
		append(docFields(), file("b.png", pngBytes(200)))...), http.StatusForbidden, "forbidden")
}

// endlessBody is a request body: head, then filler forever, counting what
// the server reads.
type endlessBody struct {
	head []byte
	n    int64
}

func (b *endlessBody) Read(p []byte) (int, error) {
	for i := range p {
		if b.n+int64(i) < int64(len(b.head)) {
			p[i] = b.head[b.n+int64(i)]
		} else {
			p[i] = 'x'
		}
	}
	b.n += int64(len(p))
	return len(p), nil
}

// oversized returns a body whose form is fields then the head of a file
// that never ends.
func oversized(t *testing.T, parts ...part) (*endlessBody, string) {
	t.Helper()
	buf, ct := form(t, parts...)
	head := buf.Bytes()
	head = head[:bytes.LastIndex(head, []byte("\r\n--"))] // drop the closing boundary
	return &endlessBody{head: head}, ct
}

func TestUploadRefusedByContentLength(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	body, ct := oversized(t, append(docFields(), file("big.png", pngBytes(64)))...)
	req := httptest.NewRequest(http.MethodPost, "/api/storage/upload", body)
	req.ContentLength = 600 << 20
	req.Header.Set("Content-Type", ct)
	rec := h.do(req, token(t, "org-1", "member"))
	wantError(t, "600 MiB declared", rec, http.StatusRequestEntityTooLarge, "file_too_large")
	if body.n > 16<<10 {
		t.Errorf("the server read %d bytes of a body it refused by its length, want a few KiB at most", body.n)
	}
	if rec.Header().Get("Connection") != "close" {
		t.Error("413 without Connection: close")
	}
	if ev := h.lastEvent(t); ev.Action != "UPLOAD" || ev.Success {
		t.Errorf("audit: got %+v, want a failed UPLOAD", ev)
	}
}

func TestUploadRefusedWhileStreaming(t *testing.T) {
	t.Parallel()
	h := newHarness(t) // receipts: at most 64 KiB here
	body, ct := oversized(t, field("object_id", "r1"), file("big.png", pngBytes(64)))
	req := httptest.NewRequest(http.MethodPost, "/api/storage/receipt-upload", io.MultiReader(body)) // length unknown
	req.Header.Set("Content-Type", ct)
	rec := h.do(req, token(t, "org-1", "member"))
	wantError(t, "endless receipt", rec, http.StatusRequestEntityTooLarge, "file_too_large")
	if body.n > 96<<10 {
		t.Errorf("the server read %d bytes, want it to stop soon after the 64 KiB limit", body.n)
	}
	if h.files.Len() != 0 {
		t.Error("a record was left behind")
	}
}

func TestReceiptUpload(t *testing.T) {
	t.Parallel()
	h := newHarness(t) // the configured receipt rule allows */*; the endpoint narrows it
	tok := token(t, "org-1", "member")
	rec := h.upload(t, "/api/storage/receipt-upload", tok, field("object_id", "exp-1"), file("scan.png", pngBytes(100)))
	got := decode[fileRecordJSON](t, rec)
	if rec.Code != http.StatusCreated || got.System != "accounting" || got.ObjectType != "receipt" ||
		!strings.HasSuffix(got.Filename, "_scan.png") || len(got.Filename) != len("20060102_150405_scan.png") {
		t.Errorf("receipt: got %d %s", rec.Code, rec.Body.String())
	}
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
	if rec := h.upload(t, "/api/storage/receipt-upload", tok, field("object_id", "exp-1"), file("r.pdf", pdf)); rec.Code != http.StatusCreated {
		t.Errorf("PDF receipt: got %d %s", rec.Code, rec.Body.String())
	}
	rec = h.upload(t, "/api/storage/receipt-upload", tok, field("object_id", "exp-1"), file("r.png", []byte("just some text, no image")))
	wantError(t, "text as receipt", rec, http.StatusUnsupportedMediaType, "unsupported_content_type")
	rec = h.upload(t, "/api/storage/receipt-upload", tok, field("object_id", "exp-1"), field("system", "workspace"), file("r.png", pngBytes(10)))
	wantError(t, "system on a receipt", rec, http.StatusBadRequest, "unknown_field")
}

func TestUploadRefusesOverlongFilename(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	name := strings.Repeat("n", 4096) + ".png"
	wantError(t, "4 KiB name", h.upload(t, "/api/storage/upload", tok, append(docFields(), file(name, pngBytes(64)))...),
		http.StatusBadRequest, "filename_too_long")
	wantError(t, "4 KiB name, multipart", h.doJSON(t, http.MethodPost, "/api/storage/multipart/initiate",
		`{"system":"workspace","object_type":"doc","object_id":"d1","filename":"`+name+`","size":100}`, tok),
		http.StatusBadRequest, "filename_too_long")
}

func TestAppZipUpload(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	rec := h.upload(t, "/api/storage/app-zip-upload", tok, field("object_id", "app-1"), file("app.zip", ziptest.Of("index.html")))
	got := decode[fileRecordJSON](t, rec)
	if rec.Code != http.StatusCreated || got.System != "app-builder" || got.ObjectType != "source" || got.ContentType != "application/zip" {
		t.Errorf("zip: got %d %s", rec.Code, rec.Body.String())
	}
	rec = h.upload(t, "/api/storage/app-zip-upload", tok, field("object_id", "app-1"), field("object_type", "build"), file("app.ZIP", ziptest.Of("x")))
	if got := decode[fileRecordJSON](t, rec); rec.Code != http.StatusCreated || got.ObjectType != "build" {
		t.Errorf("build zip: got %d %s", rec.Code, rec.Body.String())
	}
	tests := []struct {
		name   string
		parts  []part
		status int
		code   string
	}{
		{"name without .zip", []part{field("object_id", "app-1"), file("app.tar", ziptest.Of("x"))}, http.StatusBadRequest, "zip_extension_required"},
		{"png named .zip", []part{field("object_id", "app-1"), file("png.zip", pngBytes(100))}, http.StatusUnsupportedMediaType, "unsupported_content_type"},
		{"broken zip", []part{field("object_id", "app-1"), file("broken.zip", append([]byte("PK\x03\x04"), make([]byte, 100)...))}, http.StatusUnsupportedMediaType, "not_a_zip"},
		{"object type of another system", []part{field("object_id", "app-1"), field("object_type", "doc"), file("a.zip", ziptest.Of("x"))}, http.StatusBadRequest, "invalid_object_type"},
	}
	for _, tc := range tests {
		wantError(t, tc.name, h.upload(t, "/api/storage/app-zip-upload", tok, tc.parts...), tc.status, tc.code)
	}
	if keys, _ := h.blobs.List(t.Context(), "org-1/app-builder/source/app-1/broken.zip", "", 10); len(keys) != 0 {
		t.Errorf("the broken zip's blob was kept: %v", keys)
	}
}

// TestAppBuilderRulesOnEveryRoute sends app-builder files through the
// generic upload and multipart initiate: app-zip-upload's rules hold there
// too (a .zip name, a readable archive).
func TestAppBuilderRulesOnEveryRoute(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	fields := func(objectType string) []part {
		return []part{field("system", "app-builder"), field("object_type", objectType), field("object_id", "app-1")}
	}
	broken := append([]byte("PK\x03\x04"), make([]byte, 100)...)
	wantError(t, "upload: a zip named .exe", h.upload(t, "/api/storage/upload", tok, append(fields("build"), file("payload.exe", ziptest.Of("x")))...),
		http.StatusBadRequest, "zip_extension_required")
	wantError(t, "upload: a broken zip", h.upload(t, "/api/storage/upload", tok, append(fields("build"), file("b.zip", broken))...),
		http.StatusUnsupportedMediaType, "not_a_zip")
	if rec := h.upload(t, "/api/storage/upload", tok, append(fields("source"), file("app.zip", ziptest.Of("index.html")))...); rec.Code != http.StatusCreated {
		t.Errorf("upload: a good zip: got %d %s", rec.Code, rec.Body.String())
	}
	wantError(t, "initiate: a name without .zip", h.doJSON(t, http.MethodPost, "/api/storage/multipart/initiate",
		`{"system":"app-builder","object_type":"build","object_id":"app-1","filename":"payload.exe","size":100}`, tok),
		http.StatusBadRequest, "zip_extension_required")
	if keys, _ := h.blobs.List(t.Context(), "org-1/app-builder/", "", 10); len(keys) != 1 {
		t.Errorf("blobs under app-builder: got %v, want the good zip's only", keys)
	}
}
