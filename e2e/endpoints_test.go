package e2e

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAPIUpload(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member := a.Token("org-1", "member")
	doc := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}

	r := a.Upload("/api/storage/upload", member, doc, "Quarterly Report (v2).png", pngOf(500))
	var rec record
	r.JSON(t, &rec)
	if r.Status != http.StatusCreated || rec.FilePath != "org-1/workspace/doc/d1/Quarterly_Report_v2_.png" ||
		rec.Filename != "Quarterly_Report_v2_.png" || rec.OriginalFilename != "Quarterly Report (v2).png" ||
		rec.OrgID != "org-1" || rec.ContentType != "image/png" || rec.SizeBytes != int64(len(pngOf(500))) ||
		len(rec.SHA256) != 64 || rec.UploadedBy != "member-org-1" || rec.Deleted || rec.DeletedAt != nil {
		t.Errorf("upload: got %d %+v", r.Status, rec)
	}
	if _, err := time.Parse(time.RFC3339, rec.CreatedAt); err != nil || !strings.HasSuffix(rec.CreatedAt, "Z") {
		t.Errorf("created_at %q: want RFC 3339 UTC", rec.CreatedAt)
	}

	want(t, "exists", a.Upload("/api/storage/upload", member, doc, "Quarterly Report (v2).png", pngOf(10)), http.StatusConflict, "file_exists")
	r = a.Upload("/api/storage/upload", member, append(doc, [2]string{"overwrite", "true"}), "Quarterly Report (v2).png", pngOf(10))
	want(t, "overwrite", r, http.StatusCreated, "")
	// Newest first: the overwrite, then the refused attempt without the flag.
	if ev := a.AuditLog("org-1", "action_type=EDIT"); len(ev) != 2 || !ev[0].Success || ev[0].FilePath != rec.FilePath ||
		ev[1].Success || ev[1].ErrorMessage == nil || !strings.HasPrefix(*ev[1].ErrorMessage, "file_exists") {
		t.Errorf("overwrite: EDIT audit rows %+v", ev)
	}
	want(t, "no token", a.Upload("/api/storage/upload", "", doc, "a.png", pngOf(10)), http.StatusUnauthorized, "token_missing")
	want(t, "viewer", a.Upload("/api/storage/upload", a.Token("org-1", "viewer"), doc, "a.png", pngOf(10)), http.StatusForbidden, "forbidden")
	want(t, "auditor", a.Upload("/api/storage/upload", a.Token("org-1", "auditor"), doc, "a.png", pngOf(10)), http.StatusForbidden, "forbidden")
	want(t, "bad type", a.Upload("/api/storage/upload", member,
		[][2]string{{"system", "workspace"}, {"object_type", "receipt"}, {"object_id", "d1"}}, "a.png", pngOf(10)),
		http.StatusBadRequest, "invalid_object_type")
	want(t, "pdf slot holding a png", a.Upload("/api/storage/upload", member,
		[][2]string{{"system", "workspace"}, {"object_type", "pdf"}, {"object_id", "d1"}}, "fake.pdf", pngOf(10)),
		http.StatusUnsupportedMediaType, "unsupported_content_type")
	want(t, "file first", a.Upload("/api/storage/upload", member, nil, "a.png", pngOf(10)), http.StatusBadRequest, "missing_field")
	want(t, "timestamp flag", a.Upload("/api/storage/upload", member, append(doc, [2]string{"add_timestamp", "yes"}), "a.png", pngOf(10)),
		http.StatusBadRequest, "invalid_add_timestamp")
	var stamped record
	r = a.Upload("/api/storage/upload", member, append(doc, [2]string{"add_timestamp", "1"}), "a.png", pngOf(10))
	r.JSON(t, &stamped)
	if r.Status != http.StatusCreated || !strings.HasSuffix(stamped.Filename, "_a.png") || stamped.Filename == "a.png" {
		t.Errorf("add_timestamp: got %d %s", r.Status, r.Body)
	}
}

func TestAPIReceiptUpload(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member := a.Token("org-1", "member")
	var rec record
	r := a.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "exp-9"}}, "taxi.pdf", pdfBytes)
	r.JSON(t, &rec)
	if r.Status != http.StatusCreated || rec.System != "accounting" || rec.ObjectType != "receipt" ||
		rec.ContentType != "application/pdf" || !strings.HasPrefix(rec.FilePath, "org-1/accounting/receipt/exp-9/20") {
		t.Errorf("receipt: got %d %s", r.Status, r.Body)
	}
	want(t, "text receipt", a.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "exp-9"}}, "r.pdf",
		[]byte("plain text pretending to be a receipt")), http.StatusUnsupportedMediaType, "unsupported_content_type")
	want(t, "no object id", a.Upload("/api/storage/receipt-upload", member, nil, "r.pdf", pdfBytes), http.StatusBadRequest, "missing_field")
	want(t, "no file", a.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "exp-9"}}, "", nil),
		http.StatusBadRequest, "file_missing")
	want(t, "viewer", a.Upload("/api/storage/receipt-upload", a.Token("org-1", "viewer"), [][2]string{{"object_id", "exp-9"}}, "r.pdf", pdfBytes),
		http.StatusForbidden, "forbidden")
	big := append(bytes.Clone(pdfBytes), bytes.Repeat([]byte(" "), 20<<20)...)
	want(t, "over 20 MiB", a.Upload("/api/storage/receipt-upload", member, [][2]string{{"object_id", "exp-9"}}, "big.pdf", big),
		http.StatusRequestEntityTooLarge, "file_too_large")
}

func TestAPIAppZipUpload(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	member := a.Token("org-1", "member")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"index.html", "app.js"} {
		w, _ := zw.Create(name)
		w.Write([]byte("// " + name))
	}
	zw.Close()
	var rec record
	r := a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "app.zip", buf.Bytes())
	r.JSON(t, &rec)
	if r.Status != http.StatusCreated || rec.FilePath != "org-1/app-builder/source/app-1/app.zip" || rec.ContentType != "application/zip" {
		t.Errorf("zip: got %d %s", r.Status, r.Body)
	}
	r = a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}, {"object_type", "build"}}, "build.zip", buf.Bytes())
	want(t, "build", r, http.StatusCreated, "")
	want(t, "not a zip", a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "fake.zip", pngOf(100)),
		http.StatusUnsupportedMediaType, "unsupported_content_type")
	want(t, "broken zip", a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "broken.zip",
		append([]byte("PK\x03\x04"), make([]byte, 200)...)), http.StatusUnsupportedMediaType, "not_a_zip")
	want(t, "name", a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "app.rar", buf.Bytes()),
		http.StatusBadRequest, "zip_extension_required")
	want(t, "object type", a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}, {"object_type", "doc"}}, "a.zip", buf.Bytes()),
		http.StatusBadRequest, "invalid_object_type")
	want(t, "exists", a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}}, "app.zip", buf.Bytes()),
		http.StatusConflict, "file_exists")
	var replaced record
	r = a.Upload("/api/storage/app-zip-upload", member, [][2]string{{"object_id", "app-1"}, {"overwrite", "true"}}, "app.zip", buf.Bytes())
	r.JSON(t, &replaced)
	if r.Status != http.StatusCreated || replaced.FilePath != rec.FilePath {
		t.Errorf("overwrite: got %d %s", r.Status, r.Body)
	}
	want(t, "viewer", a.Upload("/api/storage/app-zip-upload", a.Token("org-1", "viewer"), [][2]string{{"object_id", "app-1"}}, "v.zip", buf.Bytes()),
		http.StatusForbidden, "forbidden")
	if r := a.Get("/api/storage/metadata/org-1/app-builder/source/app-1/broken.zip", member); r.Status != http.StatusNotFound {
		t.Errorf("broken zip left a record: %d %s", r.Status, r.Body)
	}
}

func TestAPIMetadataAndList(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	a.UploadDoc("org-1", "d2", "b.png", pngOf(10))
	a.UploadDoc("org-1", "d3", "c.png", pngOf(10))
	viewer := a.Token("org-1", "viewer")

	var got record
	r := a.Get("/api/storage/metadata/"+rec.FilePath, viewer)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got != rec {
		t.Errorf("metadata: got %d %+v, want %+v", r.Status, got, rec)
	}
	if r := a.Get("/api/storage/metadata/"+rec.FilePath, a.Token("org-1", "auditor")); r.Status != http.StatusOK {
		t.Errorf("auditor metadata: got %d", r.Status)
	}
	want(t, "missing", a.Get("/api/storage/metadata/org-1/workspace/doc/d1/none.png", viewer), http.StatusNotFound, "not_found")
	want(t, "bad path", a.Get("/api/storage/metadata/org-1/workspace/doc", viewer), http.StatusBadRequest, "invalid_path")
	want(t, "no token", a.Get("/api/storage/metadata/"+rec.FilePath, ""), http.StatusUnauthorized, "token_missing")
	if r := a.Do(http.MethodHead, "/api/storage/metadata/"+rec.FilePath, viewer, nil, nil); r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Errorf("HEAD: got %d with %d bytes", r.Status, len(r.Body))
	}
	if r := a.Do(http.MethodHead, "/api/storage/metadata/org-1/workspace/doc/d1/none.png", viewer, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("HEAD missing: got %d", r.Status)
	}

	var paths []string
	cursor := ""
	for range 5 {
		r := a.Get("/api/storage/files?prefix=workspace/doc/&limit=2&cursor="+cursor, viewer)
		var page struct {
			Items      []record `json:"items"`
			NextCursor *string  `json:"next_cursor"`
		}
		r.JSON(t, &page)
		if r.Status != http.StatusOK {
			t.Fatalf("list: got %d %s", r.Status, r.Body)
		}
		for _, it := range page.Items {
			paths = append(paths, it.FilePath)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if strings.Join(paths, ",") != "org-1/workspace/doc/d1/a.png,org-1/workspace/doc/d2/b.png,org-1/workspace/doc/d3/c.png" {
		t.Errorf("list pages: got %v", paths)
	}
	want(t, "list: bad prefix", a.Get("/api/storage/files?prefix=../org-2/", viewer), http.StatusBadRequest, "invalid_prefix")
	want(t, "list: bad cursor", a.Get("/api/storage/files?cursor=zzz", viewer), http.StatusBadRequest, "invalid_cursor")
	want(t, "list: bad limit", a.Get("/api/storage/files?limit=1001", viewer), http.StatusBadRequest, "invalid_limit")
	want(t, "list: auditor", a.Get("/api/storage/files", a.Token("org-1", "auditor")), http.StatusForbidden, "forbidden")
}

func TestAPIDelete(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	member, admin := a.Token("org-1", "member"), a.Token("org-1", "admin")
	body := `{"file_path":"` + rec.FilePath + `"}`

	want(t, "viewer", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "viewer"), body), http.StatusForbidden, "forbidden")
	want(t, "hard by member", a.SendJSON(http.MethodDelete, "/api/storage/delete", member,
		`{"file_path":"`+rec.FilePath+`","hard":true}`), http.StatusForbidden, "forbidden")
	want(t, "unknown field", a.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"path":"x"}`), http.StatusBadRequest, "unknown_field")
	want(t, "malformed", a.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"file_path":`), http.StatusBadRequest, "invalid_json")
	want(t, "missing", a.SendJSON(http.MethodDelete, "/api/storage/delete", member,
		`{"file_path":"org-1/workspace/doc/d1/none.png"}`), http.StatusNotFound, "not_found")

	r := a.SendJSON(http.MethodDelete, "/api/storage/delete", member, body)
	var soft record
	r.JSON(t, &soft)
	if r.Status != http.StatusOK || !soft.Deleted || soft.DeletedAt == nil || *soft.DeletedBy != "member-org-1" || soft.FilePath != rec.FilePath {
		t.Errorf("soft delete: got %d %s", r.Status, r.Body)
	}
	want(t, "metadata after delete", a.Get("/api/storage/metadata/"+rec.FilePath, member), http.StatusNotFound, "not_found")
	want(t, "signed-url after delete", a.SendJSON(http.MethodPost, "/api/storage/signed-url", member, body), http.StatusNotFound, "not_found")
	want(t, "delete twice", a.SendJSON(http.MethodDelete, "/api/storage/delete", member, body), http.StatusNotFound, "not_found")
	want(t, "upload over a deleted file", a.Upload("/api/storage/upload", member,
		[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, "a.png", pngOf(5)), http.StatusConflict, "deleted_file_at_path")

	r = a.SendJSON(http.MethodDelete, "/api/storage/delete", admin, `{"file_path":"`+rec.FilePath+`","hard":true}`)
	if r.Status != http.StatusOK || string(r.Body) != `{"file_path":"`+rec.FilePath+`","deleted":"hard"}` {
		t.Errorf("hard delete: got %d %s", r.Status, r.Body)
	}
	want(t, "hard delete twice", a.SendJSON(http.MethodDelete, "/api/storage/delete", admin,
		`{"file_path":"`+rec.FilePath+`","hard":true}`), http.StatusNotFound, "not_found")
}

func TestAPIUnavailable(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	a.Svc.DB.Close()
	r := a.Get("/api/storage/metadata/"+rec.FilePath, a.Token("org-1", "viewer"))
	if r.Status != http.StatusServiceUnavailable || strings.Contains(string(r.Body), "sql") {
		t.Errorf("database closed: got %d %s, want 503 without internals", r.Status, r.Body)
	}
}
