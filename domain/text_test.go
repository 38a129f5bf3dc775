package domain_test

import (
	"testing"
	"time"

	"storagegw/domain"
)

func TestCheckText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, s string
		bad     bool
	}{
		{name: "empty", s: ""},
		{name: "ascii", s: "IMG 2024 (1).jpg"},
		{name: "unicode", s: "Reçu – été 2026 📎.pdf"},
		{name: "replacement rune", s: "a\uFFFDb"},
		{name: "NUL", s: "a\x00b", bad: true},
		{name: "NUL at the end", s: "receipt.pdf\x00", bad: true},
		{name: "tab", s: "a\tb", bad: true},
		{name: "newline", s: "a\nb", bad: true},
		{name: "escape", s: "\x1b[31m", bad: true},
		{name: "DEL", s: "a\x7f", bad: true},
		{name: "invalid byte", s: "a\xffb", bad: true},
		{name: "truncated rune", s: "caf\xc3", bad: true},
		{name: "surrogate half", s: "\xed\xa0\x80", bad: true},
		{name: "overlong slash", s: "\xc0\xaf", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.CheckText("filename", tt.s)
			if !tt.bad {
				checkErr(t, err, nil, "")
				return
			}
			checkErr(t, err, domain.ErrInvalid, "invalid_text")
		})
	}
}

func TestCheckTextsStopsAtTheFirstRefusal(t *testing.T) {
	t.Parallel()
	err := domain.CheckTexts(domain.TextField{Name: "user_id", Value: "u1"},
		domain.TextField{Name: "file_path", Value: "a\x00"}, domain.TextField{Name: "cursor", Value: "\xff"})
	checkErr(t, err, domain.ErrInvalid, "invalid_text")
	if _, msg := domain.PublicMessage(err); msg != "file_path contains a control character (byte 0x00)." {
		t.Errorf("got message %q, want the first bad field named", msg)
	}
	checkErr(t, domain.CheckTexts(domain.TextField{Name: "a", Value: "ok"}), nil, "")
}

// TestClientTextInConstructors: the constructors that keep a client's
// file name refuse one that is not text, before it can reach a database.
func TestClientTextInConstructors(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a\x00.png", "a\xff.png"} {
		_, err := domain.NewStoragePath(domain.PathSpec{OrgID: "acme", System: "workspace", ObjectType: "doc",
			ObjectID: "d1", Filename: name})
		checkErr(t, err, domain.ErrInvalid, "invalid_text")
		_, err = domain.NewStoragePath(domain.PathSpec{OrgID: "acme", System: "workspace", ObjectType: "doc",
			ObjectID: "d1", Filename: name, Timestamp: time.Now()})
		checkErr(t, err, domain.ErrInvalid, "invalid_text")
		path := domain.MustParseStoragePath("acme/workspace/doc/d1/a.png")
		_, err = domain.NewPendingRecord("r1", path, name, "u1", "up1", time.Now(), time.Minute)
		checkErr(t, err, domain.ErrInvalid, "invalid_text")
	}
}
