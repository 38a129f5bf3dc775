package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	httpapi "storagegw/adapters/http"
	"storagegw/e2e/e2etest"
)

// prismProxy starts Prism's validating proxy (prism proxy --errors) of the
// OpenAPI document in front of upstream and returns its origin.
// It returns the origin and Prism's log.
func prismProxy(t *testing.T, modules, upstream string) (string, *syncBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logs := &syncBuffer{}
	cmd := exec.Command(filepath.Join(modules, ".bin", "prism"), "proxy", "--errors", "--cors=false",
		"--host", "127.0.0.1", "--port", fmt.Sprint(port), "-v", "info",
		filepath.Join(e2etest.Root(), "adapters", "http", "openapi.json"), upstream)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	origin := fmt.Sprintf("http://127.0.0.1:%d", port)
	start := time.Now()
	for {
		if res, err := http.Get(origin + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Since(start) > 60*time.Second {
			t.Fatalf("prism did not start in 60s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("prism proxy: up in %s", time.Since(start).Round(time.Millisecond))
	return origin, logs
}

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// prismWalk sends requests through the proxy and counts those Prism
// finds a violation in (its problem+json answer, or sl-violations).
type prismWalk struct {
	t          *testing.T
	a, p       *e2etest.API // the instance, and the same through Prism
	n          int
	violations []string
}

func (w *prismWalk) isViolation(r e2etest.Response) bool {
	return r.Header.Get("sl-violations") != "" || strings.Contains(r.Header.Get("Content-Type"), "problem+json") ||
		bytes.Contains(r.Body, []byte("stoplight.io/prism/errors"))
}

// check records r, the answer to what: a violation, or a status or code
// other than wanted, fails the walk.
func (w *prismWalk) check(what string, r e2etest.Response, status int, code string) e2etest.Response {
	w.t.Helper()
	w.n++
	if w.isViolation(r) {
		w.violations = append(w.violations, fmt.Sprintf("%s: %d %s %s", what, r.Status, r.Header.Get("sl-violations"), r.Body))
		return r
	}
	e2etest.Want(w.t, what, r, status, code)
	return r
}

// via rewrites a URL the service handed out (a signed URL, a part URL, a
// capability endpoint) to go through the proxy.
func (w *prismWalk) via(u string) string { return strings.Replace(u, w.a.URL, w.p.URL, 1) }

func (w *prismWalk) json(method, path, tok, body string, status int, code string) e2etest.Response {
	w.t.Helper()
	return w.check(method+" "+path+" "+body, w.p.SendJSON(method, path, tok, body), status, code)
}

// Prism's proxy forwards a body as text: bytes past 0x7f come out
// changed. The walk's files are therefore ASCII through and through: a
// PDF, and a zip archive whose every byte is below 0x80.
var asciiPDF = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

// asciiPDFOf is an ASCII PDF of n bytes at least.
func asciiPDFOf(n int) []byte {
	b := append([]byte{}, asciiPDF...)
	for len(b) < n {
		b = append(b, byte('a'+len(b)%26))
	}
	return b
}

// asciiZip is a stored (uncompressed) zip of one small page whose CRC-32
// and every other byte are below 0x80.
func asciiZip(t *testing.T) []byte {
	for i := 0; i < 10000; i++ {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		f, err := z.CreateHeader(&zip.FileHeader{Name: "index.html", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fmt.Fprintf(f, "<!doctype html><title>app %d</title>", i)
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.ContainsFunc(b.Bytes(), func(r rune) bool { return r >= 0x80 || r == utf8.RuneError }) {
			return b.Bytes()
		}
	}
	t.Fatal("no ASCII zip found")
	return nil
}

// TestPrismWalk walks every operation's success and main error cases
// through Prism's validating proxy (prism proxy --errors): every request
// is one the document allows, and every answer must be one it describes
// (status, headers, body schema, error code enums, media types), 0
// violations. A request the document forbids is checked to be flagged,
// so the walk can fail.
func TestPrismWalk(t *testing.T) {
	t.Parallel()
	modules := openAPILinters(t)
	a := e2etest.New(t, map[string]string{"STORAGEGW_MULTIPART_PART_SIZE_MIB": "5"})
	p := *a
	var logs *syncBuffer
	p.URL, logs = prismProxy(t, modules, a.URL)
	w := &prismWalk{t: t, a: a, p: &p}
	start := time.Now()
	member, viewer, admin := a.Token("org-1", "member"), a.Token("org-1", "viewer"), a.Token("org-1", "admin")

	// Prism flags what the document forbids: the walk can see violations.
	if r := p.Get("/api/storage/files?limit=0", member); !w.isViolation(r) {
		t.Fatalf("prism let limit=0 (minimum 1) through: %d %s", r.Status, r.Body)
	}

	// Public routes.
	w.check("healthz", p.Get("/healthz", ""), 200, "")
	w.check("readyz", p.Get("/readyz", ""), 200, "")
	w.check("openapi.json", p.Get("/api/storage/openapi.json", ""), 200, "")
	w.check("metrics", p.Get("/metrics", ""), 200, "")

	// Authentication and roles.
	// (No token at all is refused by Prism itself: the document requires one.)
	w.check("bad token", p.Get("/api/storage/files", "not-a-jwt"), 401, "token_invalid")
	w.json("POST", "/api/storage/signed-url", "not-a-jwt", `{"file_path":"org-1/workspace/doc/walk/a.pdf"}`, 401, "token_invalid")

	// Uploads: the three forms, flags as 1/0, conflicts, roles, types.
	doc := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "walk"}}
	r := w.check("upload", p.Upload("/api/storage/upload", member, doc, "a.pdf", asciiPDFOf(3000)), 201, "")
	var rec e2etest.Record
	r.JSON(t, &rec)
	w.check("upload again", p.Upload("/api/storage/upload", member, doc, "a.pdf", asciiPDF), 409, "file_exists")
	w.check("upload overwrite=1", p.Upload("/api/storage/upload", member, append(doc, [2]string{"overwrite", "1"}), "a.pdf", asciiPDFOf(3000)), 201, "")
	w.check("upload add_timestamp=true", p.Upload("/api/storage/upload", member, append(doc, [2]string{"add_timestamp", "true"}), "b.pdf", asciiPDF), 201, "")
	w.check("upload as a viewer", p.Upload("/api/storage/upload", viewer, doc, "c.pdf", asciiPDF), 403, "forbidden")
	w.check("receipt of text", p.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "r-2"}}, "c.txt", []byte("plain text, not a receipt")), 415, "unsupported_content_type")
	w.check("receipt", p.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "r-1"}}, "r.pdf", asciiPDF), 201, "")
	w.check("app zip", p.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "app.zip", asciiZip(t)), 201, "")
	w.check("app zip named .png", p.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "app.png", asciiZip(t)), 400, "zip_extension_required")
	w.check("app zip not a zip", p.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-2"}}, "x.zip", []byte("PK\x03\x04 not really a zip archive")), 415, "not_a_zip")

	// Idempotency-Key: a replay, then the key reused for another request.
	key := http.Header{"Idempotency-Key": {"walk-key-1"}}
	idem := func(name string) e2etest.Response {
		var body bytes.Buffer
		mw := multipartWriter(&body, doc, name, asciiPDF)
		h := key.Clone()
		h.Set("Content-Type", mw)
		return p.Do(http.MethodPost, "/api/storage/upload", member, &body, h)
	}
	w.check("upload with a key", idem("k.pdf"), 201, "")
	if r := w.check("the same again: replayed", idem("k.pdf"), 201, ""); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: Idempotent-Replayed = %q", r.Header.Get("Idempotent-Replayed"))
	}
	w.check("the key for another file", idem("other.pdf"), 422, "idempotency_key_reused")

	// Reading: metadata (both forms), list, audit.
	// (Prism cannot match the path form's multi-segment {file_path}: it
	// walks the query form, the one generated clients use.)
	meta := func(path string) string {
		return "/api/storage/metadata?file_path=" + strings.ReplaceAll(path, "/", "%2F")
	}
	w.check("metadata", p.Get(meta(rec.FilePath), viewer), 200, "")
	w.check("metadata missing", p.Get(meta("org-1/workspace/doc/walk/none.pdf"), viewer), 404, "not_found")
	w.check("metadata bad system", p.Get(meta("org-1/nosuch/doc/walk/a.pdf"), viewer), 400, "invalid_system")
	w.check("metadata bad path", p.Get(meta("org-1/workspace/doc/a.pdf"), viewer), 400, "invalid_path")
	w.check("HEAD metadata", p.Do(http.MethodHead, meta(rec.FilePath), viewer, nil, nil), 200, "")
	// (Prism reads the body of a HEAD error answer, which is JSON without
	// bytes, and fails: HEAD errors are checked directly, no body.)
	headError(t, "HEAD metadata missing", a.Do(http.MethodHead, meta("org-1/workspace/doc/walk/none.pdf"), viewer, nil, nil), 404)
	w.check("list", p.Get("/api/storage/files?limit=2&prefix=workspace/", viewer), 200, "")
	w.check("list bad cursor", p.Get("/api/storage/files?cursor=nonsense", viewer), 400, "invalid_cursor")
	w.check("audit logs", p.Get("/api/storage/audit-logs?limit=5&success=1", admin), 200, "")
	w.check("audit logs success=false", p.Get("/api/storage/audit-logs?success=false&action_type=UPLOAD", admin), 200, "")
	w.check("audit logs as a member", p.Get("/api/storage/audit-logs", member), 403, "forbidden")
	w.check("audit logs, from after to", p.Get("/api/storage/audit-logs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", admin), 400, "invalid_time_range")
	w.check("usage", p.Get("/api/storage/usage", admin), 200, "")
	w.check("usage as a member", p.Get("/api/storage/usage", member), 403, "forbidden")
	if r := p.Get("/api/storage/audit-logs/checkpoint", admin); r.Status == 404 {
		w.check("audit checkpoint", r, 404, "no_checkpoint")
	} else {
		w.check("audit checkpoint", r, 200, "")
	}

	// Versions: the overwrite above kept one (the query form, as for
	// metadata); a URL of it, and a restore.
	vers := func(path string) string {
		return "/api/storage/versions?file_path=" + strings.ReplaceAll(path, "/", "%2F")
	}
	r = w.check("versions", p.Get(vers(rec.FilePath), viewer), 200, "")
	var versions struct {
		Items []struct {
			VersionID string `json:"version_id"`
		} `json:"items"`
	}
	r.JSON(t, &versions)
	if len(versions.Items) != 1 {
		t.Fatalf("versions after one overwrite: got %d, want 1", len(versions.Items))
	}
	version := `{"file_path":"` + rec.FilePath + `","version_id":"` + versions.Items[0].VersionID + `"}`
	w.check("versions missing", p.Get(vers("org-1/workspace/doc/walk/none.pdf"), viewer), 404, "not_found")
	w.json("POST", "/api/storage/signed-url", viewer, version, 200, "")
	w.json("POST", "/api/storage/signed-url", viewer, `{"file_path":"`+rec.FilePath+`","version_id":"no-such-version"}`, 404, "version_not_found")
	w.json("POST", "/api/storage/versions/restore", viewer, version, 403, "forbidden")
	w.json("POST", "/api/storage/versions/restore", member, `{"file_path":"`+rec.FilePath+`","version_id":""}`, 400, "missing_version_id")
	w.json("POST", "/api/storage/versions/restore", member, version, 200, "")
	w.json("POST", "/api/storage/versions/restore", member, version, 404, "version_not_found")

	// Signed URLs and the blob route: whole, a range, out of range, tampered.
	r = w.json("POST", "/api/storage/signed-url", viewer, `{"file_path":"`+rec.FilePath+`","expires_in":60}`, 200, "")
	var signed struct{ URL string }
	r.JSON(t, &signed)
	w.check("blob", p.Get(w.via(signed.URL), ""), 200, "")
	w.check("blob range", p.Do(http.MethodGet, w.via(signed.URL), "", nil, http.Header{"Range": {"bytes=0-99"}}), 206, "")
	w.check("blob range outside", p.Do(http.MethodGet, w.via(signed.URL), "", nil, http.Header{"Range": {"bytes=90000-"}}), 416, "range_not_satisfiable")
	w.check("blob tampered", p.Get(w.via(signed.URL)+"A", ""), 403, "signature_invalid")
	w.json("POST", "/api/storage/signed-url", viewer, `{"file_path":"org-1/workspace/doc/walk/none.png"}`, 404, "not_found")
	w.json("POST", "/api/storage/signed-url", viewer, `{"file_path":"`+rec.FilePath+`","disposition":"attachment","expires_in":300}`, 200, "")
	// (Prism re-encodes a JSON body before forwarding it, so a padded one
	// cannot pass through; the padded 413 is asserted directly.)
	e2etest.Want(t, "whitespace-padded JSON past the bound", a.SendJSON("POST", "/api/storage/signed-url", viewer,
		`{"file_path":"`+rec.FilePath+`"}`+strings.Repeat(" ", 70<<10)), 413, "body_too_large")
	e2etest.Want(t, "whitespace-padded JSON past the bound, with an Idempotency-Key", a.Do("DELETE", "/api/storage/delete", member,
		strings.NewReader(`{"file_path":"`+rec.FilePath+`"}`+strings.Repeat("\n", 70<<10)),
		http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"walk-padded"}}), 413, "body_too_large")

	// Links: max_uses, revoking one link, every link of a file.
	r = w.json("POST", "/api/storage/signed-url", viewer, `{"file_path":"`+rec.FilePath+`","max_uses":1}`, 200, "")
	var link struct {
		URL    string `json:"url"`
		LinkID string `json:"link_id"`
	}
	r.JSON(t, &link)
	w.check("blob, the one use", p.Get(w.via(link.URL), ""), 200, "")
	w.check("blob, used up", p.Get(w.via(link.URL), ""), 410, "link_exhausted")
	// (Prism refuses a max_uses below the document's minimum itself; the
	// service's answer is checked directly.)
	e2etest.Want(t, "max_uses 0", a.SendJSON("POST", "/api/storage/signed-url", viewer,
		`{"file_path":"`+rec.FilePath+`","max_uses":0}`), 400, "invalid_max_uses")
	r = w.json("POST", "/api/storage/signed-url", viewer, `{"file_path":"`+rec.FilePath+`"}`, 200, "")
	r.JSON(t, &link)
	w.check("revoke a link as a viewer", p.Do(http.MethodDelete, "/api/storage/links/"+link.LinkID, viewer, nil, nil), 403, "forbidden")
	w.check("revoke a link", p.Do(http.MethodDelete, "/api/storage/links/"+link.LinkID, member, nil, nil), 200, "")
	w.check("revoke it again", p.Do(http.MethodDelete, "/api/storage/links/"+link.LinkID, member, nil, http.Header{"Idempotency-Key": {"walk-revoke"}}), 200, "")
	w.check("revoke an unknown link", p.Do(http.MethodDelete, "/api/storage/links/no-such-link", member, nil, nil), 404, "link_not_found")
	w.check("list a file's links", p.Do(http.MethodGet, "/api/storage/links?limit=2&file_path="+url.QueryEscape(rec.FilePath), member, nil, nil), 200, "")
	w.check("list links as a viewer", p.Do(http.MethodGet, "/api/storage/links?file_path="+url.QueryEscape(rec.FilePath), viewer, nil, nil), 403, "forbidden")
	w.check("list links with a bad cursor", p.Do(http.MethodGet, "/api/storage/links?cursor=nope&file_path="+url.QueryEscape(rec.FilePath), member, nil, nil), 400, "invalid_cursor")
	w.check("list another org's links", p.Do(http.MethodGet, "/api/storage/links?file_path=org-2/workspace/doc/d-1/a.pdf", member, nil, nil), 404, "not_found")
	w.check("blob, revoked", p.Get(w.via(link.URL), ""), 410, "link_revoked")
	w.json("POST", "/api/storage/links/revoke", member, `{"file_path":"`+rec.FilePath+`"}`, 200, "")
	w.json("POST", "/api/storage/links/revoke", member, `{"file_path":"org-1/workspace/doc/a.pdf"}`, 400, "invalid_path")
	w.json("POST", "/api/storage/links/revoke", viewer, `{"file_path":"`+rec.FilePath+`"}`, 403, "forbidden")

	// Delete and restore.
	w.json("DELETE", "/api/storage/delete", member, `{"file_path":"`+rec.FilePath+`"}`, 200, "")
	w.json("DELETE", "/api/storage/delete", member, `{"file_path":"`+rec.FilePath+`"}`, 404, "not_found")
	w.json("DELETE", "/api/storage/delete", member, `{"file_path":"`+rec.FilePath+`","hard":true}`, 403, "forbidden")
	w.json("POST", "/api/storage/restore", admin, `{"file_path":"`+rec.FilePath+`"}`, 200, "")
	w.json("POST", "/api/storage/restore", admin, `{"file_path":"`+rec.FilePath+`"}`, 404, "not_found")
	w.json("POST", "/api/storage/restore", member, `{"file_path":"`+rec.FilePath+`"}`, 403, "forbidden")

	// Legal holds: set on a file and on an object, the record shows it, a
	// hard delete is refused, list, clear.
	w.json("POST", "/api/storage/legal-holds", admin, `{"file_path":"`+rec.FilePath+`","reason":"case 12"}`, 201, "")
	w.json("POST", "/api/storage/legal-holds", admin, `{"prefix":"workspace/doc/walk/","reason":"case 12"}`, 201, "")
	w.json("POST", "/api/storage/legal-holds", admin, `{"prefix":"workspace/doc/walk/","reason":"again"}`, 409, "legal_hold_exists")
	w.json("POST", "/api/storage/legal-holds", admin, `{"prefix":"workspace/doc/","reason":"case 12"}`, 400, "invalid_prefix")
	w.json("POST", "/api/storage/legal-holds", admin, `{"reason":"case 12"}`, 400, "invalid_legal_hold")
	w.json("POST", "/api/storage/legal-holds", member, `{"prefix":"workspace/doc/walk/","reason":"case 12"}`, 403, "forbidden")
	w.check("metadata of a held file", p.Get(meta(rec.FilePath), viewer), 200, "")
	w.check("list with a held file", p.Get("/api/storage/files?prefix=workspace/doc/walk/", viewer), 200, "")
	w.json("DELETE", "/api/storage/delete", admin, `{"file_path":"`+rec.FilePath+`","hard":true}`, 409, "legal_hold")
	w.check("legal holds", p.Get("/api/storage/legal-holds?prefix=workspace/", a.Token("org-1", "auditor")), 200, "")
	w.check("legal holds as a member", p.Get("/api/storage/legal-holds", member), 403, "forbidden")
	w.check("legal holds, bad prefix", p.Get("/api/storage/legal-holds?prefix=nosuch/", admin), 400, "invalid_prefix")
	w.json("POST", "/api/storage/legal-holds/clear", admin, `{"file_path":"`+rec.FilePath+`"}`, 200, "")
	w.json("POST", "/api/storage/legal-holds/clear", admin, `{"prefix":"workspace/doc/walk/"}`, 200, "")
	w.json("POST", "/api/storage/legal-holds/clear", admin, `{"prefix":"workspace/doc/walk/"}`, 404, "legal_hold_not_found")

	// Multipart: initiate, URLs, a part, the parts held, complete; abort.
	const part = 5 << 20
	big := asciiPDFOf(part + 1000)
	r = w.json("POST", "/api/storage/multipart/initiate", member,
		fmt.Sprintf(`{"system":"workspace","object_type":"doc","object_id":"walk","filename":"big.pdf","size":%d}`, len(big)), 201, "")
	var sess struct {
		UploadID  string `json:"upload_id"`
		PartCount int    `json:"part_count"`
	}
	r.JSON(t, &sess)
	w.json("POST", "/api/storage/multipart/initiate", member,
		fmt.Sprintf(`{"system":"workspace","object_type":"doc","object_id":"walk","filename":"big.pdf","size":%d}`, len(big)), 409, "upload_in_progress")
	w.json("POST", "/api/storage/multipart/initiate", member,
		`{"system":"workspace","object_type":"doc","object_id":"walk","filename":"a.pdf","size":100}`, 409, "file_exists")
	w.json("POST", "/api/storage/multipart/initiate", viewer,
		`{"system":"workspace","object_type":"doc","object_id":"walk","filename":"v.pdf","size":100}`, 403, "forbidden")
	r = w.json("POST", "/api/storage/multipart/parts", member, `{"upload_id":"`+sess.UploadID+`","from":1,"to":2}`, 200, "")
	var urls struct {
		Parts []struct {
			PartNumber int    `json:"part_number"`
			URL        string `json:"url"`
			Size       int    `json:"size"`
		} `json:"parts"`
	}
	r.JSON(t, &urls)
	w.json("POST", "/api/storage/multipart/parts", member, `{"upload_id":"no-such-upload","part_numbers":[1]}`, 404, "upload_not_found")
	var parts []string
	off := 0
	for _, u := range urls.Parts {
		r := w.check(fmt.Sprintf("PUT part %d", u.PartNumber), p.Do(http.MethodPut, w.via(u.URL), "", bytes.NewReader(big[off:off+u.Size]),
			http.Header{"Content-Type": {"application/octet-stream"}}), 200, "")
		parts = append(parts, fmt.Sprintf(`{"part_number":%d,"etag":%q}`, u.PartNumber, r.Header.Get("ETag")))
		off += u.Size
	}
	w.check("PUT part of the wrong size", p.Do(http.MethodPut, w.via(urls.Parts[0].URL), "", bytes.NewReader(big[:10]),
		http.Header{"Content-Type": {"application/octet-stream"}}), 400, "part_size_mismatch")
	w.check("PUT part, tampered URL", p.Do(http.MethodPut, w.via(urls.Parts[0].URL)+"A", "", bytes.NewReader(big[:10]),
		http.Header{"Content-Type": {"application/octet-stream"}}), 403, "signature_invalid")
	w.check("uploaded parts", p.Get("/api/storage/multipart/uploaded-parts?upload_id="+sess.UploadID, member), 200, "")
	w.check("uploaded parts, no such upload", p.Get("/api/storage/multipart/uploaded-parts?upload_id=nope", member), 404, "upload_not_found")
	w.json("POST", "/api/storage/multipart/complete", member, `{"upload_id":"`+sess.UploadID+`","parts":[`+parts[0]+`]}`, 400, "parts_incomplete")
	w.json("POST", "/api/storage/multipart/complete", member, `{"upload_id":"`+sess.UploadID+`","parts":[`+strings.Join(parts, ",")+`]}`, 201, "")
	w.json("POST", "/api/storage/multipart/parts", member, `{"upload_id":"`+sess.UploadID+`","part_numbers":[1]}`, 404, "upload_not_found")
	w.json("POST", "/api/storage/multipart/complete", member, `{"upload_id":"`+sess.UploadID+`","parts":[`+strings.Join(parts, ",")+`]}`, 404, "upload_not_found")
	r = w.json("POST", "/api/storage/multipart/initiate", member,
		`{"system":"workspace","object_type":"doc","object_id":"walk","filename":"gone.pdf","size":100}`, 201, "")
	r.JSON(t, &sess)
	w.json("POST", "/api/storage/multipart/abort", member, `{"upload_id":"`+sess.UploadID+`"}`, 200, "")
	w.json("POST", "/api/storage/multipart/abort", member, `{"upload_id":"no-such-upload"}`, 404, "upload_not_found")

	// Upload capabilities and the Companion-compatible routes (Uppy).
	r = w.json("POST", "/api/storage/upload-capabilities", member, `{"system":"workspace","object_type":"doc","object_id":"walk-uppy"}`, 200, "")
	var capa struct{ Endpoint string }
	r.JSON(t, &capa)
	c := w.via(capa.Endpoint)
	r = w.check("companion params", p.Get(c+"/s3/params?filename=s.pdf&type=application%2Fpdf", ""), 200, "")
	var params struct {
		URL    string
		Fields map[string]string
	}
	r.JSON(t, &params)
	var fields [][2]string
	for k, v := range params.Fields {
		fields = append(fields, [2]string{k, v})
	}
	w.check("companion form upload", p.Upload(w.via(params.URL), "", fields, "blob", asciiPDF), 201, "")
	w.check("companion form upload again", p.Upload(w.via(params.URL), "", fields, "blob", asciiPDF), 409, "file_exists")
	w.json("POST", "/api/storage/upload-capabilities", viewer, `{"system":"workspace","object_type":"doc","object_id":"walk-uppy"}`, 403, "forbidden")
	r = w.json("POST", "/api/storage/upload-capabilities", member, `{"system":"workspace","object_type":"doc","object_id":"walk-small","max_size":100}`, 200, "")
	var small struct{ Endpoint string }
	r.JSON(t, &small)
	r = w.check("companion params (small)", p.Get(w.via(small.Endpoint)+"/s3/params?filename=big.pdf&type=application%2Fpdf", ""), 200, "")
	var smallParams struct {
		URL    string
		Fields map[string]string
	}
	r.JSON(t, &smallParams)
	var smallFields [][2]string
	for k, v := range smallParams.Fields {
		smallFields = append(smallFields, [2]string{k, v})
	}
	w.check("companion form upload over max_size", p.Upload(w.via(smallParams.URL), "", smallFields, "blob", asciiPDFOf(500)), 413, "file_too_large")
	w.json("POST", w.via(small.Endpoint)+"/s3/multipart", "", `{"filename":"big.pdf","type":"application/pdf","size":5000}`, 413, "file_too_large")
	r = w.json("POST", c+"/s3/multipart", "", fmt.Sprintf(`{"filename":"m.pdf","type":"application/pdf","size":%d}`, len(big)), 200, "")
	var cu struct {
		UploadID string `json:"uploadId"`
		Key      string `json:"key"`
	}
	r.JSON(t, &cu)
	q := "?key=" + strings.ReplaceAll(cu.Key, "/", "%2F")
	w.check("companion list parts", p.Get(c+"/s3/multipart/"+cu.UploadID+q, ""), 200, "")
	w.check("companion sign part", p.Get(c+"/s3/multipart/"+cu.UploadID+"/1"+q, ""), 200, "")
	w.check("companion sign part, no such upload", p.Get(c+"/s3/multipart/nope/1"+q, ""), 404, "upload_not_found")
	w.json("POST", c+"/s3/multipart/"+cu.UploadID+"/complete"+q, "", `{"parts":[{"PartNumber":1,"ETag":"\"x\""}]}`, 400, "parts_incomplete")
	w.check("companion abort", p.Do(http.MethodDelete, c+"/s3/multipart/"+cu.UploadID+q, "", nil, nil), 200, "")
	w.json("POST", p.URL+"/api/storage/companion/AAAA/s3/multipart", "", `{"filename":"x.pdf","type":"application/pdf","size":10}`, 403, "capability_invalid")

	// TUS: options, creation, offset, a chunk, termination.
	tus := http.Header{"Tus-Resumable": {"1.0.0"}}
	w.check("tus OPTIONS", p.Do(http.MethodOptions, "/api/storage/tus/", "", nil, tus), 204, "")
	tusMeta := "system " + b64("workspace") + ",object_type " + b64("doc") + ",object_id " + b64("walk-tus") + ",filename " + b64("t.pdf")
	h := tus.Clone()
	h.Set("Upload-Length", "200")
	h.Set("Upload-Metadata", tusMeta)
	r = w.check("tus create", p.Do(http.MethodPost, "/api/storage/tus/", member, nil, h), 201, "")
	loc := r.Header.Get("Location")
	id := loc[strings.LastIndex(loc, "/")+1:]
	w.check("tus HEAD", p.Do(http.MethodHead, "/api/storage/tus/"+id, member, nil, tus), 200, "")
	w.check("tus OPTIONS of an upload", p.Do(http.MethodOptions, "/api/storage/tus/"+id, "", nil, tus), 204, "")
	h = tus.Clone()
	h.Set("Upload-Offset", "0")
	h.Set("Content-Type", "application/offset+octet-stream")
	w.check("tus PATCH", p.Do(http.MethodPatch, "/api/storage/tus/"+id, member, bytes.NewReader(asciiPDFOf(100)), h), 204, "")
	w.check("tus PATCH at a wrong offset", p.Do(http.MethodPatch, "/api/storage/tus/"+id, member, bytes.NewReader(asciiPDF), h), 409, "offset_mismatch")
	w.check("tus DELETE", p.Do(http.MethodDelete, "/api/storage/tus/"+id, member, nil, tus), 204, "")
	w.check("tus DELETE again", p.Do(http.MethodDelete, "/api/storage/tus/"+id, member, nil, tus), 404, "upload_not_found")
	h = tus.Clone()
	h.Set("Upload-Length", "200")
	h.Set("Upload-Metadata", "system "+b64("workspace")+",object_type "+b64("doc")+",object_id "+b64("walk")+",filename "+b64("a.pdf"))
	w.check("tus create onto an existing file", p.Do(http.MethodPost, "/api/storage/tus/", member, nil, h), 409, "file_exists")
	h.Set("Upload-Length", "999999999999")
	h.Set("Upload-Metadata", "system "+b64("workspace")+",object_type "+b64("doc")+",object_id "+b64("walk")+",filename "+b64("huge.pdf"))
	w.check("tus create too large", p.Do(http.MethodPost, "/api/storage/tus/", member, nil, h), 413, "file_too_large")
	headError(t, "tus HEAD after DELETE", a.Do(http.MethodHead, "/api/storage/tus/"+id, member, nil, tus), 404)

	t.Logf("prism walk: %d requests, %d violations, %s", w.n, len(w.violations), time.Since(start).Round(time.Millisecond))
	for _, v := range w.violations {
		t.Errorf("violation: %s", v)
	}
	if len(w.violations) > 0 {
		t.Logf("prism's log:\n%s", logs.String())
	}

	// Every operation was walked, but those Prism cannot route.
	unwalked := map[httpapi.Route]string{
		{Method: "GET", Path: "/api/storage/metadata/*file_path"}:  "Prism cannot match a multi-segment {file_path}: the query form is walked",
		{Method: "HEAD", Path: "/api/storage/metadata/*file_path"}: "Prism cannot match a multi-segment {file_path}: the query form is walked",
		{Method: "GET", Path: "/api/storage/versions/*file_path"}:  "Prism cannot match a multi-segment {file_path}: the query form is walked",
	}
	walked := map[httpapi.Route]bool{}
	for _, m := range regexp.MustCompile(`\[HTTP SERVER\] ([a-z]+) (\S+) .*Request received`).FindAllStringSubmatch(logs.String(), -1) {
		for _, r := range httpapi.DescribedRoutes() {
			if prismRouteRegexp(r.Path).MatchString(m[2]) && strings.EqualFold(r.Method, m[1]) {
				walked[r] = true
			}
		}
	}
	for _, r := range httpapi.DescribedRoutes() {
		if _, skip := unwalked[r]; !walked[r] && !skip {
			t.Errorf("%s %s was not walked through Prism", r.Method, r.Path)
		}
	}
	t.Logf("prism walk: %d of %d operations", len(walked), len(httpapi.DescribedRoutes()))
}

// headError checks a HEAD error answer as the document describes it: the
// status, and no body.
func headError(t *testing.T, what string, r e2etest.Response, status int) {
	t.Helper()
	if r.Status != status || len(r.Body) != 0 {
		t.Errorf("%s: got %d with %d bytes, want %d without a body", what, r.Status, len(r.Body), status)
	}
}

// prismRouteRegexp matches the paths of a Gin route: ":x" one segment,
// "*x" the rest; an exact static path otherwise.
func prismRouteRegexp(ginPath string) *regexp.Regexp {
	segs := strings.Split(ginPath, "/")
	for i, seg := range segs {
		switch {
		case strings.HasPrefix(seg, ":"):
			segs[i] = "[^/]+"
		case strings.HasPrefix(seg, "*"):
			segs[i] = ".+"
		default:
			segs[i] = regexp.QuoteMeta(seg)
		}
	}
	return regexp.MustCompile("^" + strings.Join(segs, "/") + "$")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// multipartWriter writes an upload form (fields, then the file) into body
// and returns its Content-Type.
func multipartWriter(body *bytes.Buffer, fields [][2]string, filename string, content []byte) string {
	mw := multipart.NewWriter(body)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	return mw.FormDataContentType()
}
