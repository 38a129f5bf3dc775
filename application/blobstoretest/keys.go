package blobstoretest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

// hostileKeys break application.ValidateBlobKey; every method refuses them
// with domain.ErrInvalid before any I/O. validPrefix marks those List may
// still take as a prefix (ValidateBlobPrefix).
var hostileKeys = []struct {
	name, key   string
	validPrefix bool
}{
	{"empty", "", true},
	{"dot", ".", false},
	{"dot dot", "..", false},
	{"parent", "../x", false},
	{"parent twice", "a/../../b", false},
	{"trailing parent", "a/..", false},
	{"leading dot segment", "./a", false},
	{"inner dot segment", "a/./b", false},
	{"absolute", "/abs", false},
	{"double leading slash", "//host/x", false},
	{"empty segment", "a//b", false},
	{"trailing slash", "a/", true},
	{"backslash", "a\\b", false},
	{"backslash parent", "..\\x", false},
	{"windows path", "C:\\x", false},
	{"NUL", "a\x00b", false},
	{"newline", "a\nb", false},
	{"carriage return", "a\rb", false},
	{"tab", "a\tb", false},
	{"escape", "a\x1b[0mb", false},
	{"DEL", "a\x7fb", false},
	{"1025 bytes", strings.Repeat("a", 1025), false},
	{"1025 bytes of segments", strings.Repeat("ab/", 341) + "ab", false},
	{"invalid UTF-8", "a\xffb", false},
	{"truncated UTF-8", "a\xc3", false},
	{"UTF-16 surrogate", "a\xed\xa0\x80b", false},
}

// oddKeys are valid keys that trip naive escaping, path handling or
// sorting; each must round-trip byte for byte.
var oddKeys = []string{
	"a b/c d.txt", " leading space", "trailing space ", "org/ü/日本.txt", "u\u0308/nfd", "\u00fc/nfc",
	"a/b.c/d~e", "-leading-dash", "--/-x", "%2e%2e", "%2e%2e/%2f%5c", "%", "100%/x%25y",
	"x%blob", "x%blob/y", "x.tmp", ".hidden", ".tmp/x", ".storagegw-tmp/x", "tmp/x", "blobs/x",
	"a/.b/..c", "...", "a:b", "a;b,c=d&e?f#g", "quote\"'`$(x)*?[]{}<>|!", "nbsp\u00a0x",
	"zero\u200bwidth", "emoji/😀", "CON", "nul.txt", "a+b", "~user", "Case/A", "case/a",
	strings.Repeat("s", 200) + "/segment of 200 bytes",
	strings.Repeat(strings.Repeat("k", 99)+"/", 9) + strings.Repeat("k", 100),          // 1000 bytes
	strings.Repeat(strings.Repeat("m", 99)+"/", 10) + strings.Repeat("m", 20) + "/end", // 1024 bytes
}

func testHostileKeys(t *testing.T, newStore NewStoreFunc) {
	s := newStore(t)
	t.Run("refused", func(t *testing.T) {
		for _, tc := range hostileKeys {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				r := &spyReader{}
				_, err := s.Put(ctx, tc.key, r, "text/plain")
				wantErr(t, fmt.Sprintf("Put(%q)", tc.key), err, domain.ErrInvalid)
				if r.read {
					t.Errorf("Put(%q) read the body, want the key refused before any I/O", tc.key)
				}
				_, _, err = s.Open(ctx, tc.key, application.Whole)
				wantErr(t, fmt.Sprintf("Open(%q)", tc.key), err, domain.ErrInvalid)
				_, err = s.Stat(ctx, tc.key)
				wantErr(t, fmt.Sprintf("Stat(%q)", tc.key), err, domain.ErrInvalid)
				err = s.Delete(ctx, tc.key)
				wantErr(t, fmt.Sprintf("Delete(%q)", tc.key), err, domain.ErrInvalid)
				if !tc.validPrefix {
					_, err = s.List(ctx, tc.key, "", 10)
					wantErr(t, fmt.Sprintf("List(%q)", tc.key), err, domain.ErrInvalid)
				}
			})
		}
	})
	// Nothing was stored by any of the refused calls.
	wantListed(t, s, "", nil)
}

func testOddKeys(t *testing.T, newStore NewStoreFunc) {
	if n := len(oddKeys[len(oddKeys)-2]); n != 1000 {
		t.Fatalf("the 1000-byte key has %d bytes", n)
	}
	if n := len(oddKeys[len(oddKeys)-1]); n != application.MaxBlobKeyBytes {
		t.Fatalf("the longest key has %d bytes, want %d", n, application.MaxBlobKeyBytes)
	}
	s := newStore(t)
	t.Run("round trip", func(t *testing.T) {
		for _, key := range oddKeys {
			t.Run(fmt.Sprintf("%.40q", key), func(t *testing.T) {
				t.Parallel()
				if err := application.ValidateBlobKey(key); err != nil {
					t.Fatalf("ValidateBlobKey(%q): got error %v, want nil", key, err)
				}
				data := []byte("content of " + key)
				mustPut(t, s, key, data)
				wantContent(t, s, key, data)
				list, err := s.List(t.Context(), key, "", 1)
				if err != nil || len(list) != 1 || list[0].Key != key {
					t.Errorf("List(%q, limit 1): got %q, %v, want [%q], nil", key, keysOf(list), err, key)
				}
			})
		}
	})
	// All of them at once list back exactly, in byte order.
	want := slices.Sorted(slices.Values(oddKeys))
	wantListed(t, s, "", want)
	for _, key := range oddKeys {
		if err := s.Delete(t.Context(), key); err != nil {
			t.Errorf("Delete(%q): got error %v, want nil", key, err)
		}
	}
	wantListed(t, s, "", nil)
}

// spyReader records whether anyone read it.
type spyReader struct{ read bool }

func (s *spyReader) Read([]byte) (int, error) {
	s.read = true
	return 0, errBoom
}
