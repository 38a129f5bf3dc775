package domain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDownloadName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 600) + ".pdf" // 1204 bytes
	tests := []struct{ name, original, want string }{
		{"as uploaded", "Rapport annuel (final) 2026.pdf", "Rapport annuel (final) 2026.pdf"},
		{"non-ASCII", "Déclaration €—日本.pdf", "Déclaration €—日本.pdf"},
		{"quotes kept, the header escapes them", `say "hi".txt`, `say "hi".txt`},
		{"a Windows path", `C:\fakepath\scan 1.png`, "scan 1.png"},
		{"a relative path", "../../etc/passwd", "passwd"},
		{"CR LF", "a\r\nContent-Type: text/html.txt", "html.txt"},
		{"CR LF without a slash", "a\r\nSet-Cookie: x=1.txt", "a__Set-Cookie: x=1.txt"},
		{"bidi override", "invoice\u202Efdp.exe", "invoice_fdp.exe"},
		{"zero-width", "a\u200Bb.pdf", "a_b.pdf"},
		{"invalid UTF-8", "bad\xff.txt", "bad_.txt"},
		{"dots and spaces around", " .hidden. ", "hidden"},
		{"nothing usable", "../", "d1-x.pdf"},
		{"empty", "", "d1-x.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := recordNamed(t, tc.original).DownloadName(); got != tc.want {
				t.Errorf("DownloadName(%q): got %q, want %q", tc.original, got, tc.want)
			}
		})
	}
	got := recordNamed(t, long).DownloadName()
	if len(got) > MaxDownloadNameBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "é.pdf") || len(got) < MaxDownloadNameBytes-1 {
		t.Errorf("a 1204-byte name: got %q (%d bytes), want at most %d bytes of whole characters ending in .pdf",
			got, len(got), MaxDownloadNameBytes)
	}
}

func recordNamed(t *testing.T, original string) *FileRecord {
	t.Helper()
	path, err := NewStoragePath(PathSpec{OrgID: "org-1", System: "workspace", ObjectType: "pdf", ObjectID: "d1", Filename: "d1-x.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	return &FileRecord{d: FileRecordData{ID: "r1", Path: path, OriginalFilename: original, CreatedAt: time.Unix(0, 0)}}
}
