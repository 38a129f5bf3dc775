package domain

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"storagegw/domain/ziptest"
)

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
	commented := ziptest.Of("a.txt")
	commented = append(commented[:len(commented)-2], 4, 0, 'P', 'K', 5, 6) // a comment holding a fake signature
	pair := ziptest.Of("a.txt", "b.txt")
	tests := []struct {
		name string
		b    []byte
		want string // "" when accepted, else part of the not_a_zip message
	}{
		{"archive", ziptest.Of("src/main.go", "README.md"), ""},
		{"empty archive", ziptest.Of(), ""},
		{"comment with a signature in it", commented, ""},
		{"directories and unusual but safe names", ziptest.Of("dir/", "dir/a..b", ".../x", "café/ü.txt", ".hidden"), ""},
		{"CP437 name", ziptest.Raw(zip.FileHeader{Name: "\x85t\x82.txt", NonUTF8: true}), ""},
		{"zip64 end record", toZip64(t, pair), ""},
		{"zip64 sizes at the bound", ziptest.Raw(zip.FileHeader{Name: "big", UncompressedSize64: 4 << 30}), ""},

		{"not a zip", []byte("\x89PNG\r\n\x1a\n no archive, only the signature of a picture"), "not a readable zip"},
		{"local header only", append([]byte("PK\x03\x04"), make([]byte, 100)...), "not a readable zip"},
		{"truncated", ziptest.Of("a.txt")[:40], "not a readable zip"},
		{"too many entries (zip64)", zip64Tail(appArchive.MaxEntries + 1), "more than 100000 entries"},
		{"uncompresses too large", ziptest.Raw(zip.FileHeader{Name: "huge", UncompressedSize64: 5 << 30}), "more than 4294967296 bytes"},
		{"zip64 sizes summing past the bound", ziptest.Raw(
			zip.FileHeader{Name: "a", UncompressedSize64: 1 << 32}, zip.FileHeader{Name: "b", UncompressedSize64: 1 << 32}), "more than 4294967296 bytes"},
		{"zip64 size overflowing the sum", ziptest.Raw(
			zip.FileHeader{Name: "a", UncompressedSize64: 1 << 32}, zip.FileHeader{Name: "b", UncompressedSize64: 1<<64 - 1}), "more than 4294967296 bytes"},
		{"zip64 extra field missing", patchHeader(pair, 0, 20, 0xff, 0xff, 0xff, 0xff), "central directory is damaged"},

		{"claims more entries than exist", patchEnd(pair, 3, -1, -1), "does not hold the entries"},
		{"claims fewer entries than exist", patchEnd(pair, 1, -1, -1), "does not hold the entries"},
		{"headers hidden past the declared size", patchEnd(pair, 1, centralHeaderLen+len("a.txt"), -1), "past the directory's declared size"},
		{"truncated central directory", patchEnd(pair, -1, dirSize(pair)-10, -1), "central directory is damaged"},
		{"directory past its end record", patchEnd(pair, -1, dirSize(pair)+1, -1), "outside the file"},
		{"directory offset past the end", patchEnd(pair, -1, -1, len(pair)+100), "outside the file"},
		{"overlong claimed name length", patchHeader(pair, 0, 28, 0xff, 0xff), "central directory is damaged"},
		{"overlong claimed extra length", patchHeader(pair, 0, 30, 0xff, 0xff), "central directory is damaged"},
		{"overlong claimed comment length", patchHeader(pair, 0, 32, 0xff, 0xff), "central directory is damaged"},
		{"header signature", patchHeader(pair, 0, 0, 'X'), "central directory is damaged"},
		{"local header past the directory", patchHeader(pair, 0, 42, 0xf0, 0xff, 0, 0), "outside the file"},
		{"first local header", patchAt(pair, 0, 'X'), "first entry is damaged"},
		{"zip64 locator past the file", patchAt(toZip64(t, pair), len(toZip64(t, pair))-eocdLen-zip64LocatorLen+8, 0xff, 0xff, 0xff), "outside the file"},

		{"zip slip", ziptest.Of("../evil"), `outside its root: "../evil"`},
		{"zip slip inside a path", ziptest.Of("a/../../b"), `outside its root: "a/../../b"`},
		{"zip slip at the end", ziptest.Of("a/.."), "outside its root"},
		{"absolute path", ziptest.Of("/etc/passwd"), `outside its root: "/etc/passwd"`},
		{"drive letter", ziptest.Of("C:\\x"), `outside its root: "C:\\x"`},
		{"backslash", ziptest.Of("a\\b"), "with a backslash"},
		{"NUL", ziptest.Of("a\x00b"), `control character: "a\x00b"`},
		{"escape sequence", ziptest.Of("a\x1b[2Jb"), "control character"},
		{"C1 control in a UTF-8 name", ziptest.Of("a\u0085b"), "control character"},
		{"invalid UTF-8 flagged as UTF-8", patchHeader(ziptest.Raw(zip.FileHeader{Name: "a\xffb", NonUTF8: true}), 0, 9, 0x08), `not valid UTF-8: "a\xffb"`},
		{"long hostile name, quoted short", ziptest.Of(strings.Repeat("../", 1000)), `outside its root: "../../`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := appArchive.Check(bytes.NewReader(tc.b), int64(len(tc.b)))
			if tc.want == "" {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			checkNotZip(t, err, tc.want)
			if len(err.Error()) > 200 {
				t.Errorf("got a message of %d bytes, want a short one: %.80s", len(err.Error()), err)
			}
		})
	}
	end, err := readAndFindEnd(zip64Tail(7))
	if end.entries != 7 || err != nil {
		t.Errorf("zip64 count: got %d, %v, want 7", end.entries, err)
	}
	unavailable := Errorf(ErrUnavailable, "store_unavailable", "down")
	if err := appArchive.Check(failingReaderAt{unavailable}, 1000); !errors.Is(err, ErrUnavailable) {
		t.Errorf("store down: got %v, want it passed through", err)
	}
	big := ziptest.Of(strings.Repeat("x", 40_000), strings.Repeat("y", 40_000)) // its directory starts before the tail
	if err := appArchive.Check(failAfter{bytes.NewReader(big), unavailable, maxTailLen}, int64(len(big))); !errors.Is(err, ErrUnavailable) {
		t.Errorf("store down while reading the directory: got %v, want it passed through", err)
	}
}

// checkNotZip fails unless err is a 415 not_a_zip whose message holds want.
func checkNotZip(t *testing.T, err error, want string) {
	t.Helper()
	var de *Error
	if !errors.As(err, &de) || de.Code != "not_a_zip" || !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("got %v, want 415 not_a_zip", err)
	}
	if !strings.Contains(de.Message, want) {
		t.Errorf("got message %q, want it to hold %q", de.Message, want)
	}
}

func readAndFindEnd(b []byte) (zipEnd, error) {
	tr, err := readTail(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return zipEnd{}, err
	}
	return tr.directoryEnd()
}

type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

// failAfter reads r for reads of up to n bytes, then fails with err.
type failAfter struct {
	r   io.ReaderAt
	err error
	n   int
}

func (f failAfter) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > f.n {
		return 0, f.err
	}
	return f.r.ReadAt(p, off)
}

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
