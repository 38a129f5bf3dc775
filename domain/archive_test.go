package domain

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
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

func TestZipArchiveCheck(t *testing.T) {
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
		{"not a zip", []byte("\x89PNG\r\n\x1a\n no archive, only the signature of a picture"), false},
		{"local header only", append([]byte("PK\x03\x04"), make([]byte, 100)...), false},
		{"truncated", zipOf(t, "a.txt")[:40], false},
		{"too many entries (zip64)", zip64Tail(appArchive.MaxEntries + 1), false},
		{"uncompresses too large", bomb.Bytes(), false},
	}
	for _, tc := range tests {
		err := appArchive.Check(bytes.NewReader(tc.b), int64(len(tc.b)))
		if tc.ok != (err == nil) {
			t.Errorf("%s: got %v, want ok=%v", tc.name, err, tc.ok)
		}
		var de *Error
		if err != nil && (!errors.As(err, &de) || de.Code != "not_a_zip" || !errors.Is(err, ErrUnsupportedType)) {
			t.Errorf("%s: got %v, want 415 not_a_zip", tc.name, err)
		}
	}
	if n, err := zipEntryCount(bytes.NewReader(zip64Tail(7)), int64(len(zip64Tail(7)))); n != 7 || err != nil {
		t.Errorf("zip64 count: got %d, %v, want 7", n, err)
	}
	unavailable := Errorf(ErrUnavailable, "store_unavailable", "down")
	if err := appArchive.Check(failingReaderAt{unavailable}, 1000); !errors.Is(err, ErrUnavailable) {
		t.Errorf("store down: got %v, want it passed through", err)
	}
}

type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestZipArchiveCheckName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"app.zip", true},
		{"APP.ZIP", true},
		{"app.tar", false},
		{"payload.exe", false},
		{"zip", false},
		{"", false},
	}
	for _, tc := range tests {
		err := appArchive.CheckName(tc.name)
		var de *Error
		if tc.ok != (err == nil) || err != nil && (!errors.As(err, &de) || de.Code != "zip_extension_required" || !errors.Is(err, ErrInvalid)) {
			t.Errorf("%q: got %v, want ok=%v (else 400 zip_extension_required)", tc.name, err, tc.ok)
		}
	}
}

// TestAppBuilderRulesDemandAZip checks that the built-in app-builder
// rules, and only they, carry the archive rule, and that CheckName and
// CheckContent pass anything under a rule without one.
func TestAppBuilderRulesDemandAZip(t *testing.T) {
	t.Parallel()
	rules := DefaultContentRules()
	for _, k := range Kinds() {
		if got, want := rules[k].Archive != nil, k.System == SystemAppBuilder; got != want {
			t.Errorf("%s: archive rule set: got %v, want %v", k, got, want)
		}
	}
	src := rules[Kind{SystemAppBuilder, TypeSource}]
	if err := src.CheckName("a.txt"); err == nil {
		t.Error("app-builder rule: a.txt accepted, want zip_extension_required")
	}
	broken := []byte("PK\x03\x04 broken")
	if err := src.CheckContent(bytes.NewReader(broken), int64(len(broken))); err == nil {
		t.Error("app-builder rule: a broken archive accepted, want not_a_zip")
	}
	doc := rules[Kind{SystemWorkspace, TypeDoc}]
	if err := doc.CheckName("a.txt"); err != nil {
		t.Errorf("doc rule: CheckName got %v, want nil", err)
	}
	if err := doc.CheckContent(bytes.NewReader(broken), int64(len(broken))); err != nil {
		t.Errorf("doc rule: CheckContent got %v, want nil", err)
	}
}
