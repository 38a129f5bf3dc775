package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300)
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "already canonical", in: "IMG_2024.jpg", want: "IMG_2024.jpg"},
		{name: "dash and digits kept", in: "q3-report-2026.xlsx", want: "q3-report-2026.xlsx"},
		{name: "space", in: "my file.pdf", want: "my_file.pdf"},
		{name: "spaces and punctuation collapse", in: "My  File (1).PDF", want: "My_File_1_.PDF"},
		{name: "latin accents", in: "résumé.pdf", want: "r_sum_.pdf"},
		{name: "leading non-ascii", in: "über-file.txt", want: "_ber-file.txt"},
		{name: "emoji", in: "party🎉time.png", want: "party_time.png"},
		{name: "only non-ascii stem", in: "日本語.txt", wantErr: true},
		{name: "invalid utf-8", in: "a\xff\xfeb.txt", want: "a_b.txt"},
		{name: "unix traversal", in: "../../etc/passwd", want: "_._etc_passwd"},
		{name: "traversal after a name", in: "a/../../etc/passwd", want: "a_._._etc_passwd"},
		{name: "slashes", in: "dir/sub/file.txt", want: "dir_sub_file.txt"},
		{name: "windows path", in: `C:\Users\me\photo.jpg`, want: "C_Users_me_photo.jpg"},
		{name: "windows traversal", in: `..\..\windows\cmd.exe`, want: "_._windows_cmd.exe"},
		{name: "null byte", in: "a\x00b.txt", want: "a_b.txt"},
		{name: "newline and tab", in: "a\nb\tc.txt", want: "a_b_c.txt"},
		{name: "DEL", in: "a\x7fb.txt", want: "a_b.txt"},
		{name: "null byte extension trick", in: "evil.php\x00.jpg", want: "evil.php_.jpg"},
		{name: "run of underscores", in: "a____b.txt", want: "a_b.txt"},
		{name: "run of dots", in: "a....b.txt", want: "a.b.txt"},
		{name: "mixed runs keep alternation", in: "a_._b.txt", want: "a_._b.txt"},
		{name: "leading dots stripped", in: "...hidden.txt", want: "hidden.txt"},
		{name: "leading dot and space", in: ". a.txt", want: "_a.txt"},
		{name: "trailing dots stripped", in: "file.txt...", want: "file.txt"},
		{name: "trailing dot without extension", in: "README.", want: "README"},
		{name: "no extension", in: "Makefile", want: "Makefile"},
		{name: "double extension", in: "archive.tar.gz", want: "archive.tar.gz"},
		{name: "only an extension", in: ".pdf", wantErr: true},
		{name: "dotfile is only an extension", in: ".bashrc", wantErr: true},
		{name: "underscores and extension", in: "___.pdf", wantErr: true},
		{name: "symbols and extension", in: "#$%.pdf", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "blank", in: "   ", wantErr: true},
		{name: "dot", in: ".", wantErr: true},
		{name: "dot dot", in: "..", wantErr: true},
		{name: "dots", in: ".....", wantErr: true},
		{name: "dashes only", in: "---", wantErr: true},
		{name: "single letter", in: "a", want: "a"},
		{name: "very long keeps extension", in: long + ".jpg", want: strings.Repeat("a", 196) + ".jpg"},
		{name: "very long without extension", in: long, want: strings.Repeat("a", 200)},
		{name: "exactly 200 bytes", in: strings.Repeat("b", 196) + ".pdf", want: strings.Repeat("b", 196) + ".pdf"},
		{name: "cut lands on underscore", in: strings.Repeat("a", 195) + " " + strings.Repeat("b", 10) + ".jpg", want: strings.Repeat("a", 195) + ".jpg"},
		{name: "cut lands on dot", in: strings.Repeat("a", 195) + "." + strings.Repeat("b", 10) + ".jpg", want: strings.Repeat("a", 195) + ".jpg"},
		{name: "long unicode", in: strings.Repeat("é", 300) + "x.jpg", want: "_x.jpg"},
		{name: "longest extension kept", in: long + "." + strings.Repeat("e", 15), want: strings.Repeat("a", 184) + "." + strings.Repeat("e", 15)},
		{name: "long extension is part of the name", in: "report." + strings.Repeat("x", 20), want: "report." + strings.Repeat("x", 20)},
		{name: "long extension on long name is cut", in: long + "." + strings.Repeat("e", 16), want: strings.Repeat("a", 200)},
		{name: "longest name a client may send", in: strings.Repeat("a", 1020) + ".pdf", want: strings.Repeat("a", 196) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.SanitizeFilename(tt.in)
			if tt.wantErr {
				checkErr(t, err, domain.ErrInvalid, "invalid_filename")
				if got != "" {
					t.Errorf("got %q with the error, want \"\"", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("SanitizeFilename(%q): got error %v, want %q", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("SanitizeFilename(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > domain.MaxFilenameBytes {
				t.Errorf("got %d bytes, want at most %d", len(got), domain.MaxFilenameBytes)
			}
			again, err := domain.SanitizeFilename(got)
			if err != nil || again != got {
				t.Errorf("second sanitize: got %q, %v, want %q, nil", again, err, got)
			}
		})
	}
}

func TestTimestampedFilename(t *testing.T) {
	t.Parallel()
	ist := time.FixedZone("IST", 5*3600+30*60)
	pst := time.FixedZone("PST", -8*3600)
	tests := []struct {
		name    string
		in      string
		at      time.Time
		want    string
		wantErr bool
	}{
		{name: "utc", in: "IMG_2024.jpg", at: t0, want: "20260126_153045_IMG_2024.jpg"},
		{name: "positive zone converted to utc", in: "IMG_2024.jpg", at: time.Date(2026, 1, 26, 21, 0, 45, 0, ist), want: "20260126_153045_IMG_2024.jpg"},
		{name: "negative zone crosses midnight", in: "IMG_2024.jpg", at: time.Date(2026, 1, 25, 23, 59, 59, 0, pst), want: "20260126_075959_IMG_2024.jpg"},
		{name: "sub-second dropped", in: "a.txt", at: t0.Add(999 * time.Millisecond), want: "20260126_153045_a.txt"},
		{name: "name is sanitized", in: "my photo.jpg", at: t0, want: "20260126_153045_my_photo.jpg"},
		{name: "leading space does not double the separator", in: " IMG.jpg", at: t0, want: "20260126_153045_IMG.jpg"},
		{name: "leading underscore does not double the separator", in: "__IMG.jpg", at: t0, want: "20260126_153045_IMG.jpg"},
		{name: "leading dots stripped", in: "..IMG.jpg", at: t0, want: "20260126_153045_IMG.jpg"},
		{name: "long name fits with the prefix", in: strings.Repeat("a", 300) + ".jpg", at: t0, want: "20260126_153045_" + strings.Repeat("a", 180) + ".jpg"},
		{name: "only an extension", in: ".jpg", at: t0, wantErr: true},
		{name: "empty", in: "", at: t0, wantErr: true},
		{name: "underscores and extension", in: "___.pdf", at: t0, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.TimestampedFilename(tt.in, tt.at)
			if tt.wantErr {
				checkErr(t, err, domain.ErrInvalid, "invalid_filename")
				return
			}
			if err != nil {
				t.Fatalf("TimestampedFilename(%q): got error %v, want %q", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("TimestampedFilename(%q, %v) = %q, want %q", tt.in, tt.at, got, tt.want)
			}
			if len(got) > domain.MaxFilenameBytes {
				t.Errorf("got %d bytes, want at most %d", len(got), domain.MaxFilenameBytes)
			}
			if again, err := domain.SanitizeFilename(got); err != nil || again != got {
				t.Errorf("sanitizing the result: got %q, %v, want %q, nil (canonical)", again, err, got)
			}
		})
	}
}

// checkCanonicalFilename reports every way s breaks the canonical filename form.
func checkCanonicalFilename(t *testing.T, in, s string) {
	t.Helper()
	switch {
	case s == "":
		t.Errorf("%q: result is empty", in)
	case len(s) > domain.MaxFilenameBytes:
		t.Errorf("%q: result has %d bytes, want at most %d", in, len(s), domain.MaxFilenameBytes)
	case strings.HasPrefix(s, "."):
		t.Errorf("%q: result %q starts with a dot", in, s)
	case strings.HasSuffix(s, "."):
		t.Errorf("%q: result %q ends with a dot", in, s)
	case strings.Contains(s, ".."):
		t.Errorf("%q: result %q contains ..", in, s)
	case strings.Contains(s, "__"):
		t.Errorf("%q: result %q contains a run of _", in, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			t.Errorf("%q: result %q has byte %#x outside [A-Za-z0-9._-]", in, s, c)
			break
		}
	}
	if !strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") {
		t.Errorf("%q: result %q has no letter or digit", in, s)
	}
}

func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{
		"", ".", "..", "...", ".pdf", "___.pdf", "_.pdf", "a", "IMG_2024.jpg", "my file.pdf",
		"../../etc/passwd", `..\..\windows\cmd.exe`, "a/../b", "a\x00b", "\x00", "\n", "a\x7f",
		"résumé.pdf", "日本語.txt", "\xff\xfe", "\u202egnp.exe", "CON", "nul.txt", " IMG.jpg",
		"_._", "._.", "a._.b", "-rf", "a.", ".a.", "..a..", "%2e%2e%2fetc", "a%00.jpg",
		strings.Repeat("a", 300) + ".jpg", strings.Repeat("-", 190) + "a.jpg",
		strings.Repeat("a", 199) + "." + strings.Repeat("b", 15), strings.Repeat("é", 150) + ".jpg",
		strings.Repeat("a_", 150), strings.Repeat("a.", 150),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := domain.SanitizeFilename(in)
		ts, tsErr := domain.TimestampedFilename(in, t0)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("%q: got error %v, want domain.ErrInvalid", in, err)
			}
			if got != "" {
				t.Errorf("%q: got %q with an error, want \"\"", in, got)
			}
			if tsErr == nil {
				t.Errorf("%q: TimestampedFilename = %q, want an error as SanitizeFilename gave", in, ts)
			}
			return
		}
		checkCanonicalFilename(t, in, got)
		again, err := domain.SanitizeFilename(got)
		if err != nil || again != got {
			t.Errorf("%q: not idempotent: sanitize(%q) = %q, %v", in, got, again, err)
		}
		p, err := domain.ParseStoragePath("acme/workspace/doc/d1/" + got)
		if err != nil || p.Filename() != got {
			t.Errorf("%q: sanitized %q is refused as a path filename: %v", in, got, err)
		}

		if tsErr != nil {
			if !errors.Is(tsErr, domain.ErrInvalid) {
				t.Fatalf("%q: TimestampedFilename error %v, want domain.ErrInvalid", in, tsErr)
			}
			return
		}
		checkCanonicalFilename(t, in, ts)
		if !strings.HasPrefix(ts, "20260126_153045_") {
			t.Errorf("%q: TimestampedFilename = %q, want the 20260126_153045_ prefix", in, ts)
		}
		if again, err := domain.SanitizeFilename(ts); err != nil || again != ts {
			t.Errorf("%q: TimestampedFilename = %q is not canonical: sanitize gives %q, %v", in, ts, again, err)
		}
	})
}

func TestSanitizeFilenameRefusesOverlongNames(t *testing.T) {
	t.Parallel()
	for _, in := range []string{strings.Repeat("a", 1021) + ".pdf", strings.Repeat("é", 600), strings.Repeat("a", 2<<20)} {
		got, err := domain.SanitizeFilename(in)
		checkErr(t, err, domain.ErrInvalid, "filename_too_long")
		if got != "" {
			t.Errorf("%d bytes: got %q with the error", len(in), got)
		}
	}
	p := domain.MustParseStoragePath("org-1/workspace/doc/d1/a.pdf")
	if _, err := domain.NewPendingRecord("id", p, strings.Repeat("a", 1025), "u1", "up1", time.Now(), time.Minute); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("NewPendingRecord with a 1025-byte original name: got %v, want ErrInvalid", err)
	}
}
