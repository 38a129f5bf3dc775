package e2e

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// messageOf is an error answer's message.
func messageOf(r response) string {
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Message
}

// wantMessage checks an answer's status, code, and that its message holds
// every one of parts.
func wantMessage(t *testing.T, what string, r response, status int, code string, parts ...string) {
	t.Helper()
	want(t, what, r, status, code)
	for _, p := range parts {
		if !strings.Contains(messageOf(r), p) {
			t.Errorf("%s: message %q, want it to hold %q", what, messageOf(r), p)
		}
	}
}

const (
	receiptTypes = "image/jpeg, image/png, image/heic, image/heif, image/webp, application/pdf"
	pptx         = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// TestMessagesUnsupportedType: every route that refuses content with 415
// names the type, the kind and the types the kind accepts, whole.
func TestMessagesUnsupportedType(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	text := []byte("plain text pretending to be a scan, long enough to sniff as text.")

	r := a.Upload("/api/storage/upload", member, [][2]string{{"system", "workspace"}, {"object_type", "pdf"}, {"object_id", "d1"}},
		"fake.pdf", pngOf(10))
	wantMessage(t, "/upload", r, http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type image/png is not accepted for workspace/pdf, which accepts: application/pdf.")

	r = a.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "r1"}}, "r.pdf", text)
	wantMessage(t, "/receipt-upload", r, http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type text/plain is not accepted for accounting/receipt, which accepts: "+receiptTypes+".")

	r = a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app1"}}, "app.zip", pdfBytes)
	wantMessage(t, "/app-zip-upload", r, http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type application/pdf is not accepted for app-builder/source, which accepts: application/zip.")

	r = a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", member,
		`{"system": "accounting", "object_type": "receipt", "object_id": "r1", "filename": "deck.pptx", "size": 10, "content_type": "`+pptx+`"}`)
	wantMessage(t, "multipart initiate, a long declared type", r, http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type "+pptx+" is not accepted for accounting/receipt, which accepts: "+receiptTypes+".")

	s := a.initiate(member, `"system": "accounting", "object_type": "receipt", "object_id": "r2", "filename": "scan.png"`, len(text))
	r = a.complete(member, s.UploadID, a.putParts(a.partURLs(member, s), s.PartSize, text))
	wantMessage(t, "multipart complete", r, http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type text/plain is not accepted for accounting/receipt, which accepts: "+receiptTypes+".")

	loc := a.tusCreate(member, len(text), docMeta)
	wantMessage(t, "TUS completion", a.tusPatch(member, loc, 0, text), http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type text/plain is not accepted for workspace/pdf, which accepts: application/pdf.")

	c := a.capability(member, `{"system": "workspace", "object_type": "pdf", "object_id": "d9"}`)
	r = c.do(http.MethodGet, "/params?filename=a.pdf&type=application%2Fpdf", nil)
	var params struct {
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	}
	r.JSON(t, &params)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range params.Fields {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "blob")
	_, _ = fw.Write(text)
	_ = w.Close()
	r = a.Do(http.MethodPost, params.URL, "", &body, http.Header{"Content-Type": {w.FormDataContentType()}})
	wantMessage(t, "companion form upload", r, http.StatusUnsupportedMediaType, "unsupported_content_type",
		"Content of type text/plain is not accepted for workspace/pdf, which accepts: application/pdf.")
}

// TestMessagesTooLarge: every 413 names its limit in binary units.
func TestMessagesTooLarge(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	big := append(bytes.Clone(pdfBytes), bytes.Repeat([]byte(" "), 20<<20)...)
	r := a.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "r1"}}, "big.pdf", big)
	wantMessage(t, "/receipt-upload", r, http.StatusRequestEntityTooLarge, "file_too_large",
		"The file is larger than the 20 MiB allowed for accounting/receipt.")

	r = a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", member,
		`{"system": "workspace", "object_type": "slide", "object_id": "s1", "filename": "deck.pdf", "size": 300000000}`)
	wantMessage(t, "multipart initiate", r, http.StatusRequestEntityTooLarge, "file_too_large",
		"The file is larger than the 200 MiB allowed for workspace/slide.")

	r = a.Do(http.MethodPost, "/api/storage/tus/", member, nil, tusHeader("Upload-Length", "600000000",
		"Upload-Metadata", tusMeta("system", "app-builder", "object_type", "build", "object_id", "b1", "filename", "b.zip")))
	wantMessage(t, "TUS creation", r, http.StatusRequestEntityTooLarge, "file_too_large",
		"The file is larger than the 512 MiB allowed for app-builder/build.")

	r = a.SendJSON(http.MethodPost, "/api/storage/signed-url", member, `{"file_path": "`+strings.Repeat("a", 70<<10)+`"}`)
	wantMessage(t, "a JSON body", r, http.StatusRequestEntityTooLarge, "body_too_large", "The JSON body is larger than 64 KiB.")

	c := a.capability(member, `{"system": "workspace", "object_type": "doc", "object_id": "d1", "max_size": 1048576}`)
	r = c.do(http.MethodPost, "/multipart", map[string]any{"filename": "a.png", "type": "image/png",
		"metadata": map[string]any{"size": 2 << 20}})
	wantMessage(t, "a capability's max_size", r, http.StatusRequestEntityTooLarge, "file_too_large",
		"This upload capability allows files of at most 1 MiB.")
}

// TestMessagesFields: a JSON field the endpoint does not take is named; a
// form field that is missing is called missing, naming it; a field after
// the file is named too.
func TestMessagesFields(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member := a.Token("org-1", "member")
	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", member, `{"file_path": "workspace/doc/d1/a.png", "expires": 60}`)
	wantMessage(t, "unknown JSON field", r, http.StatusBadRequest, "unknown_field", `"expires"`)

	r = a.Upload("/api/storage/upload", member, [][2]string{{"system", "workspace"}, {"object_id", "d1"}}, "a.png", pngOf(10))
	wantMessage(t, "one field missing", r, http.StatusBadRequest, "missing_field",
		`The form field "object_type" is missing; send it before the file part.`)
	r = a.Upload("/api/storage/upload", member, nil, "a.png", pngOf(10))
	wantMessage(t, "every field missing", r, http.StatusBadRequest, "missing_field",
		`The form fields "system", "object_type", "object_id" are missing`)
	r = a.Upload("/api/storage/receipt-upload", member, nil, "r.pdf", pdfBytes)
	wantMessage(t, "receipt without object_id", r, http.StatusBadRequest, "missing_field", `"object_id" is missing`)
	r = a.Upload("/api/storage/upload", member, [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}, {"org", "org-2"}},
		"a.png", pngOf(10))
	wantMessage(t, "unknown form field", r, http.StatusBadRequest, "unknown_field", `"org"`)

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}} {
		_ = w.WriteField(f[0], f[1])
	}
	fw, _ := w.CreateFormFile("file", "a.png")
	_, _ = fw.Write(pngOf(10))
	_ = w.WriteField("overwrite", "true")
	_ = w.Close()
	r = a.Do(http.MethodPost, "/api/storage/upload", member, &body, http.Header{"Content-Type": {w.FormDataContentType()}})
	wantMessage(t, "a field after the file", r, http.StatusBadRequest, "field_after_file",
		`The form field "overwrite" came after the file part`)
}

// TestMessagesListPrefix: a prefix is relative to the caller's org; one
// that starts with it is refused saying so, and one that starts with
// another org's id is refused as any prefix naming no system, whether
// that org exists or not, listing nothing.
func TestMessagesListPrefix(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	a.UploadDoc("org-1", "d1", "mine.png", pngOf(10))
	a.UploadDoc("org-2", "d1", "theirs.png", pngOf(10))
	viewer := a.Token("org-1", "viewer")

	r := a.Get("/api/storage/files?prefix=workspace/doc/", viewer)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "mine.png") || strings.Contains(string(r.Body), "theirs") {
		t.Fatalf("relative prefix: got %d %s, want the org's own file only", r.Status, r.Body)
	}
	r = a.Get("/api/storage/files?prefix=org-1/workspace/", viewer)
	wantMessage(t, "own org in the prefix", r, http.StatusBadRequest, "invalid_prefix",
		`prefix is relative to your organisation: leave out "org-1/"`)
	existing := a.Get("/api/storage/files?prefix=org-2/workspace/", viewer)
	wantMessage(t, "another org in the prefix", existing, http.StatusBadRequest, "invalid_prefix", "prefix must start with a system")
	unknown := a.Get("/api/storage/files?prefix=org-9/workspace/", viewer)
	if string(unknown.Body) != string(existing.Body) || strings.Contains(string(existing.Body), "org-2") {
		t.Errorf("another org's id: got %s, and for an unknown org %s; want the same answer, naming neither", existing.Body, unknown.Body)
	}
	r = a.Get("/api/storage/files?prefix=workspace/receipt/", viewer)
	wantMessage(t, "an object type of another system", r, http.StatusBadRequest, "invalid_prefix", "doc, sheet, slide, pdf")
}
