package httpapi

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"net/http"
	"testing"

	"storagegw/domain"
)

// zipOf builds a zip archive of the named entries.
func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("content of " + n))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zip64Tail is a zip64 end of central directory claiming entries.
func zip64Tail(entries uint64) []byte {
	rec := make([]byte, zip64EOCDMinLen)
	copy(rec, sigZip64EOCD)
	binary.LittleEndian.PutUint64(rec[4:], zip64EOCDMinLen-12)
	binary.LittleEndian.PutUint64(rec[24:], entries)
	binary.LittleEndian.PutUint64(rec[32:], entries)
	loc := make([]byte, zip64LocatorLen)
	copy(loc, sigZip64Locator)
	binary.LittleEndian.PutUint64(loc[8:], 0)
	eocd := make([]byte, eocdLen)
	copy(eocd, sigEOCD)
	binary.LittleEndian.PutUint16(eocd[8:], 0xffff)
	binary.LittleEndian.PutUint16(eocd[10:], 0xffff)
	binary.LittleEndian.PutUint32(eocd[16:], 0xffffffff)
	return append(append(rec, loc...), eocd...)
}

func TestVerifyZip(t *testing.T) {
	t.Parallel()
	var bomb bytes.Buffer
	w := zip.NewWriter(&bomb)
	if _, err := w.CreateRaw(&zip.FileHeader{Name: "huge", Method: zip.Deflate, UncompressedSize64: 5 << 30}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	commented := zipOf(t, "a.txt")
	commented = append(commented[:len(commented)-2], 4, 0, 'P', 'K', 5, 6) // a comment holding a fake signature
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"archive", zipOf(t, "src/main.go", "README.md"), true},
		{"empty archive", zipOf(t), true},
		{"comment with a signature in it", commented, true},
		{"not a zip", pngBytes(300), false},
		{"local header only", append([]byte("PK\x03\x04"), make([]byte, 100)...), false},
		{"truncated", zipOf(t, "a.txt")[:40], false},
		{"too many entries (zip64)", zip64Tail(maxZipEntries + 1), false},
		{"uncompresses too large", bomb.Bytes(), false},
	}
	for _, tc := range tests {
		err := verifyZip(t.Context(), bytes.NewReader(tc.b), int64(len(tc.b)))
		if tc.ok != (err == nil) {
			t.Errorf("%s: got %v, want ok=%v", tc.name, err, tc.ok)
		}
		var de *domain.Error
		if err != nil && (!errors.As(err, &de) || de.Code != "not_a_zip" || !errors.Is(err, domain.ErrUnsupportedType)) {
			t.Errorf("%s: got %v, want 415 not_a_zip", tc.name, err)
		}
	}
	if n, err := zipEntryCount(bytes.NewReader(zip64Tail(7)), int64(len(zip64Tail(7)))); n != 7 || err != nil {
		t.Errorf("zip64 count: got %d, %v, want 7", n, err)
	}
	unavailable := domain.Errorf(domain.ErrUnavailable, "store_unavailable", "down")
	if err := verifyZip(t.Context(), failingReaderAt{unavailable}, 1000); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("store down: got %v, want it passed through", err)
	}
}

type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestAppZipUpload(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := token(t, "org-1", "member")
	rec := h.upload(t, "/api/storage/app-zip-upload", tok, field("object_id", "app-1"), file("app.zip", zipOf(t, "index.html")))
	got := decode[fileRecordJSON](t, rec)
	if rec.Code != http.StatusCreated || got.System != "app-builder" || got.ObjectType != "source" || got.ContentType != "application/zip" {
		t.Errorf("zip: got %d %s", rec.Code, rec.Body.String())
	}
	rec = h.upload(t, "/api/storage/app-zip-upload", tok, field("object_id", "app-1"), field("object_type", "build"), file("app.ZIP", zipOf(t, "x")))
	if got := decode[fileRecordJSON](t, rec); rec.Code != http.StatusCreated || got.ObjectType != "build" {
		t.Errorf("build zip: got %d %s", rec.Code, rec.Body.String())
	}
	tests := []struct {
		name   string
		parts  []part
		status int
		code   string
	}{
		{"name without .zip", []part{field("object_id", "app-1"), file("app.tar", zipOf(t, "x"))}, http.StatusBadRequest, "zip_extension_required"},
		{"png named .zip", []part{field("object_id", "app-1"), file("png.zip", pngBytes(100))}, http.StatusUnsupportedMediaType, "unsupported_content_type"},
		{"broken zip", []part{field("object_id", "app-1"), file("broken.zip", append([]byte("PK\x03\x04"), make([]byte, 100)...))}, http.StatusUnsupportedMediaType, "not_a_zip"},
		{"object type of another system", []part{field("object_id", "app-1"), field("object_type", "doc"), file("a.zip", zipOf(t, "x"))}, http.StatusBadRequest, "invalid_object_type"},
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
	wantError(t, "upload: a zip named .exe", h.upload(t, "/api/storage/upload", tok, append(fields("build"), file("payload.exe", zipOf(t, "x")))...),
		http.StatusBadRequest, "zip_extension_required")
	wantError(t, "upload: a broken zip", h.upload(t, "/api/storage/upload", tok, append(fields("build"), file("b.zip", broken))...),
		http.StatusUnsupportedMediaType, "not_a_zip")
	if rec := h.upload(t, "/api/storage/upload", tok, append(fields("source"), file("app.zip", zipOf(t, "index.html")))...); rec.Code != http.StatusCreated {
		t.Errorf("upload: a good zip: got %d %s", rec.Code, rec.Body.String())
	}
	wantError(t, "initiate: a name without .zip", h.doJSON(t, http.MethodPost, "/api/storage/multipart/initiate",
		`{"system":"app-builder","object_type":"build","object_id":"app-1","filename":"payload.exe","size":100}`, tok),
		http.StatusBadRequest, "zip_extension_required")
	if keys, _ := h.blobs.List(t.Context(), "org-1/app-builder/", "", 10); len(keys) != 1 {
		t.Errorf("blobs under app-builder: got %v, want the good zip's only", keys)
	}
}
