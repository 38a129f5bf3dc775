package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

func TestParseStoragePathEveryKind(t *testing.T) {
	t.Parallel()
	kinds := domain.Kinds()
	if len(kinds) != 11 {
		t.Fatalf("got %d kinds, want 11 (SPEC §1)", len(kinds))
	}
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			s := "acme-1/" + string(k.System) + "/" + string(k.ObjectType) + "/obj_42/report-2026.pdf"
			for _, in := range []string{s, "/" + s} {
				p, err := domain.ParseStoragePath(in)
				if err != nil {
					t.Fatalf("ParseStoragePath(%q): got error %v, want none", in, err)
				}
				if got := p.String(); got != s {
					t.Errorf("String() = %q, want %q", got, s)
				}
				if p.OrgID() != "acme-1" || p.Kind() != k || p.System() != k.System || p.ObjectType() != k.ObjectType ||
					p.ObjectID() != "obj_42" || p.Filename() != "report-2026.pdf" {
					t.Errorf("parts = %q %v %q %q, want acme-1 %v obj_42 report-2026.pdf",
						p.OrgID(), p.Kind(), p.ObjectID(), p.Filename(), k)
				}
				if p.IsZero() {
					t.Errorf("IsZero() = true, want false")
				}
			}
		})
	}
}

func TestParseStoragePath(t *testing.T) {
	t.Parallel()
	id64 := strings.Repeat("a", 64)
	id65 := strings.Repeat("a", 65)
	tests := []struct {
		name string
		in   string
		want string // canonical String(); empty means a refusal
		code string // the refusal's code
	}{
		{name: "canonical", in: "acme/workspace/doc/d1/a.pdf", want: "acme/workspace/doc/d1/a.pdf"},
		{name: "single leading slash dropped", in: "/acme/workspace/doc/d1/a.pdf", want: "acme/workspace/doc/d1/a.pdf"},
		{name: "timestamped filename", in: "acme/accounting/receipt/r1/20260126_153045_IMG_2024.jpg", want: "acme/accounting/receipt/r1/20260126_153045_IMG_2024.jpg"},
		{name: "64-char ids", in: id64 + "/workspace/doc/" + id64 + "/a.pdf", want: id64 + "/workspace/doc/" + id64 + "/a.pdf"},
		{name: "ids with _ and -", in: "Org_1-x/workspace/doc/9-obj_Z/a.pdf", want: "Org_1-x/workspace/doc/9-obj_Z/a.pdf"},
		{name: "200-byte filename", in: "acme/workspace/doc/d1/" + strings.Repeat("f", 196) + ".pdf", want: "acme/workspace/doc/d1/" + strings.Repeat("f", 196) + ".pdf"},

		{name: "empty", in: "", code: "invalid_path"},
		{name: "slash only", in: "/", code: "invalid_path"},
		{name: "double leading slash", in: "//acme/workspace/doc/d1/a.pdf", code: "invalid_path"},
		{name: "dot dot segment", in: "acme/workspace/doc/../a.pdf", code: "invalid_path"},
		{name: "dot dot as filename", in: "acme/workspace/doc/d1/..", code: "invalid_path"},
		{name: "dot dot as org", in: "../workspace/doc/d1/a.pdf", code: "invalid_path"},
		{name: "dot segment", in: "acme/workspace/doc/./a.pdf", code: "invalid_path"},
		{name: "dot as filename", in: "acme/workspace/doc/d1/.", code: "invalid_path"},
		{name: "empty segment", in: "acme/workspace//d1/a.pdf", code: "invalid_path"},
		{name: "double slash", in: "acme//workspace/doc/d1/a.pdf", code: "invalid_path"},
		{name: "trailing slash", in: "acme/workspace/doc/d1/a.pdf/", code: "invalid_path"},
		{name: "trailing slash on four segments", in: "acme/workspace/doc/d1/", code: "invalid_path"},
		{name: "backslash separator", in: `acme\workspace\doc\d1\a.pdf`, code: "invalid_path"},
		{name: "backslash in filename", in: `acme/workspace/doc/d1/..\a.pdf`, code: "invalid_path"},
		{name: "null byte", in: "acme/workspace/doc/d1/a.pdf\x00.jpg", code: "invalid_path"},
		{name: "newline", in: "acme/workspace/doc/d1/a\n.pdf", code: "invalid_path"},
		{name: "tab", in: "acme/workspace/doc/d1\t/a.pdf", code: "invalid_path"},
		{name: "DEL", in: "acme/workspace/doc/d1/a\x7f.pdf", code: "invalid_path"},
		{name: "percent-encoded dot dot", in: "acme/workspace/doc/%2e%2e/a.pdf", code: "invalid_path"},
		{name: "percent-encoded slash", in: "acme/workspace/doc/d1%2fx/a.pdf", code: "invalid_path"},
		{name: "percent-encoded slash upper case", in: "acme/workspace/doc/d1/x%2Fa.pdf", code: "invalid_path"},
		{name: "percent-encoded backslash", in: "acme/workspace/doc/d1/%5ca.pdf", code: "invalid_path"},
		{name: "four segments", in: "acme/workspace/doc/a.pdf", code: "invalid_path"},
		{name: "six segments", in: "acme/workspace/doc/d1/sub/a.pdf", code: "invalid_path"},
		{name: "one segment", in: "a.pdf", code: "invalid_path"},
		{name: "far too long", in: "acme/workspace/doc/d1/" + strings.Repeat("a", 1000), code: "invalid_path"},
		{name: "unknown system", in: "acme/hr/doc/d1/a.pdf", code: "invalid_system"},
		{name: "system case differs", in: "acme/Workspace/doc/d1/a.pdf", code: "invalid_system"},
		{name: "type of another system", in: "acme/workspace/receipt/d1/a.pdf", code: "invalid_object_type"},
		{name: "app-builder type under accounting", in: "acme/accounting/source/d1/a.zip", code: "invalid_object_type"},
		{name: "unknown type", in: "acme/workspace/video/d1/a.mp4", code: "invalid_object_type"},
		{name: "org with dot", in: "ac.me/workspace/doc/d1/a.pdf", code: "invalid_org_id"},
		{name: "org with space", in: "ac me/workspace/doc/d1/a.pdf", code: "invalid_org_id"},
		{name: "org non-ascii", in: "äcme/workspace/doc/d1/a.pdf", code: "invalid_org_id"},
		{name: "org starting with -", in: "-acme/workspace/doc/d1/a.pdf", code: "invalid_org_id"},
		{name: "org starting with _", in: "_acme/workspace/doc/d1/a.pdf", code: "invalid_org_id"},
		{name: "org 65 chars", in: id65 + "/workspace/doc/d1/a.pdf", code: "invalid_org_id"},
		{name: "object id with dot", in: "acme/workspace/doc/d.1/a.pdf", code: "invalid_object_id"},
		{name: "object id with colon", in: "acme/workspace/doc/d:1/a.pdf", code: "invalid_object_id"},
		{name: "object id 65 chars", in: "acme/workspace/doc/" + id65 + "/a.pdf", code: "invalid_object_id"},
		{name: "object id starting with -", in: "acme/workspace/doc/-d1/a.pdf", code: "invalid_object_id"},
		{name: "object id starting with _", in: "acme/workspace/doc/_d1/a.pdf", code: "invalid_object_id"},
		{name: "filename with space", in: "acme/workspace/doc/d1/my file.pdf", code: "invalid_path"},
		{name: "filename with double underscore", in: "acme/workspace/doc/d1/a__b.pdf", code: "invalid_path"},
		{name: "filename with double dot", in: "acme/workspace/doc/d1/a..pdf", code: "invalid_path"},
		{name: "filename with leading dot", in: "acme/workspace/doc/d1/.a.pdf", code: "invalid_path"},
		{name: "filename with trailing dot", in: "acme/workspace/doc/d1/a.pdf.", code: "invalid_path"},
		{name: "filename only an extension", in: "acme/workspace/doc/d1/.pdf", code: "invalid_path"},
		{name: "filename non-ascii", in: "acme/workspace/doc/d1/résumé.pdf", code: "invalid_path"},
		{name: "filename over 200 bytes", in: "acme/workspace/doc/d1/" + strings.Repeat("f", 197) + ".pdf", code: "invalid_path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := domain.ParseStoragePath(tt.in)
			if tt.want == "" {
				checkErr(t, err, domain.ErrInvalid, tt.code)
				if !p.IsZero() {
					t.Errorf("got path %q with the error, want the zero path", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseStoragePath(%q): got error %v, want none", tt.in, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewStoragePath(t *testing.T) {
	t.Parallel()
	ok := domain.PathSpec{OrgID: "acme", System: "workspace", ObjectType: "doc", ObjectID: "d1", Filename: "my file.pdf"}
	with := func(mod func(*domain.PathSpec)) domain.PathSpec {
		s := ok
		mod(&s)
		return s
	}
	tests := []struct {
		name string
		spec domain.PathSpec
		want string
		kind error
		code string
	}{
		{name: "sanitizes the filename", spec: ok, want: "acme/workspace/doc/d1/my_file.pdf"},
		{name: "timestamp prefix in utc", spec: with(func(s *domain.PathSpec) {
			s.Filename = "IMG 2024.jpg"
			s.Timestamp = time.Date(2026, 1, 26, 10, 30, 45, 0, time.FixedZone("EST", -5*3600))
		}), want: "acme/workspace/doc/d1/20260126_153045_IMG_2024.jpg"},
		{name: "timestamp and leading underscore", spec: with(func(s *domain.PathSpec) {
			s.Filename, s.Timestamp = "_a.jpg", t0
		}), want: "acme/workspace/doc/d1/20260126_153045_a.jpg"},
		{name: "bad org", spec: with(func(s *domain.PathSpec) { s.OrgID = "../x" }), kind: domain.ErrInvalid, code: "invalid_org_id"},
		{name: "empty org", spec: with(func(s *domain.PathSpec) { s.OrgID = "" }), kind: domain.ErrInvalid, code: "invalid_org_id"},
		{name: "unknown system", spec: with(func(s *domain.PathSpec) { s.System = "hr" }), kind: domain.ErrInvalid, code: "invalid_system"},
		{name: "type of another system", spec: with(func(s *domain.PathSpec) { s.ObjectType = "build" }), kind: domain.ErrInvalid, code: "invalid_object_type"},
		{name: "bad object id", spec: with(func(s *domain.PathSpec) { s.ObjectID = "a/b" }), kind: domain.ErrInvalid, code: "invalid_object_id"},
		{name: "filename only an extension", spec: with(func(s *domain.PathSpec) { s.Filename = ".pdf" }), kind: domain.ErrInvalid, code: "invalid_filename"},
		{name: "empty filename", spec: with(func(s *domain.PathSpec) { s.Filename = "" }), kind: domain.ErrInvalid, code: "invalid_filename"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := domain.NewStoragePath(tt.spec)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, tt.code)
				return
			}
			if err != nil {
				t.Fatalf("NewStoragePath(%+v): got error %v, want none", tt.spec, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			back, err := domain.ParseStoragePath(p.String())
			if err != nil || back != p {
				t.Errorf("ParseStoragePath(String()) = %v, %v, want %v, nil", back, err, p)
			}
		})
	}
}

func TestStoragePathZeroAndBelongsTo(t *testing.T) {
	t.Parallel()
	var zero domain.StoragePath
	if !zero.IsZero() || zero.String() != "" || zero.BelongsTo("") {
		t.Errorf("zero path: IsZero %v, String %q, BelongsTo(\"\") %v; want true, \"\", false",
			zero.IsZero(), zero.String(), zero.BelongsTo(""))
	}
	p := mustPath(t, "acme/workspace/doc/d1/a.pdf")
	tests := []struct {
		org  string
		want bool
	}{{"acme", true}, {"Acme", false}, {"acme2", false}, {"", false}}
	for _, tt := range tests {
		if got := p.BelongsTo(tt.org); got != tt.want {
			t.Errorf("BelongsTo(%q) = %v, want %v", tt.org, got, tt.want)
		}
	}
}

func TestMustParseStoragePathPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Errorf("MustParseStoragePath(bad) did not panic")
		}
	}()
	domain.MustParseStoragePath("acme/../x")
}

func TestValidateID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		id   string
		ok   bool
	}{
		{"letter", "a", true},
		{"digit", "7", true},
		{"mixed", "Ab-9_z", true},
		{"64 chars", strings.Repeat("x", 64), true},
		{"empty", "", false},
		{"65 chars", strings.Repeat("x", 65), false},
		{"starts with -", "-a", false},
		{"starts with _", "_a", false},
		{"dot", "a.b", false},
		{"slash", "a/b", false},
		{"space", "a b", false},
		{"null", "a\x00", false},
		{"non-ascii", "é", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.ValidateID("object_id", tt.id)
			if tt.ok {
				checkErr(t, err, nil, "")
				return
			}
			checkErr(t, err, domain.ErrInvalid, "invalid_object_id")
		})
	}
}

// checkPathString asserts the structural promises of a path's String().
func checkPathString(t *testing.T, s string) {
	t.Helper()
	if n := len(strings.Split(s, "/")); n != 5 {
		t.Errorf("String() = %q has %d segments, want 5", s, n)
	}
	if strings.Contains(s, "..") || strings.Contains(s, `\`) || strings.Contains(s, "//") ||
		strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") {
		t.Errorf("String() = %q has .., \\, //, or a leading or trailing slash", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			t.Errorf("String() = %q contains %U", s, r)
			break
		}
	}
}

func FuzzParseStoragePath(f *testing.F) {
	for _, s := range []string{
		"acme/workspace/doc/d1/a.pdf",
		"/acme/workspace/doc/d1/a.pdf",
		"//acme/workspace/doc/d1/a.pdf",
		"acme/accounting/receipt/r1/20260126_153045_IMG_2024.jpg",
		"acme/app-builder/source/app1/bundle.zip",
		"acme/communications/email-attachment/m1/x.eml",
		"acme/workspace/doc/../a.pdf",
		"acme/workspace/doc/d1/..",
		"acme/workspace/doc/./a.pdf",
		"acme/workspace//d1/a.pdf",
		"acme/workspace/doc/d1/a.pdf/",
		`acme\workspace\doc\d1\a.pdf`,
		"acme/workspace/doc/d1/a\x00.pdf",
		"acme/workspace/doc/%2e%2e/a.pdf",
		"acme/workspace/doc/d1%2fx/a.pdf",
		"acme/workspace/doc/a.pdf",
		"acme/workspace/doc/d1/sub/a.pdf",
		"acme/hr/doc/d1/a.pdf",
		"acme/workspace/receipt/d1/a.pdf",
		"-acme/workspace/doc/d1/a.pdf",
		"acme/workspace/doc/_d1/a.pdf",
		"acme/workspace/doc/d1/a__b.pdf",
		"acme/workspace/doc/d1/.a.pdf",
		"acme/workspace/doc/d1/my file.pdf",
		"acme/workspace/doc/d1/résumé.pdf",
		"acme/workspace/doc/d1/\u202egnp.exe",
		strings.Repeat("a", 65) + "/workspace/doc/d1/a.pdf",
		"", "/", "//", "/////", "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := domain.ParseStoragePath(in)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("ParseStoragePath(%q): got error %v, want domain.ErrInvalid", in, err)
			}
			if !p.IsZero() {
				t.Errorf("ParseStoragePath(%q): got %q with the error, want the zero path", in, p)
			}
			return
		}
		s := p.String()
		if s != strings.TrimPrefix(in, "/") {
			t.Errorf("ParseStoragePath(%q).String() = %q, want the input without its leading slash", in, s)
		}
		checkPathString(t, s)
		back, err := domain.ParseStoragePath(s)
		if err != nil {
			t.Fatalf("ParseStoragePath(%q) (round trip of %q): got error %v", s, in, err)
		}
		if back != p {
			t.Errorf("round trip of %q: got %#v, want %#v", in, back, p)
		}
		if !p.BelongsTo(p.OrgID()) {
			t.Errorf("%q does not belong to its own org %q", s, p.OrgID())
		}
	})
}

func FuzzNewStoragePath(f *testing.F) {
	for _, s := range []string{
		"a.pdf", "my file.pdf", " IMG.jpg", "_a.jpg", "__a", ".pdf", "../../etc/passwd",
		`..\..\x.exe`, "a\x00b", "résumé.pdf", strings.Repeat("a", 300) + ".jpg", "",
	} {
		f.Add(s, uint8(0), int64(0))
		f.Add(s, uint8(7), t0.Unix())
	}
	f.Add("x.zip", uint8(255), int64(-62135596800)) // year 1
	f.Add("x.zip", uint8(3), int64(253402300799))   // year 9999
	f.Fuzz(func(t *testing.T, filename string, kindIdx uint8, unix int64) {
		kinds := domain.Kinds()
		k := kinds[int(kindIdx)%len(kinds)]
		spec := domain.PathSpec{
			OrgID: "acme", System: string(k.System), ObjectType: string(k.ObjectType),
			ObjectID: "obj-1", Filename: filename,
		}
		if unix != 0 {
			spec.Timestamp = time.Unix(unix, 0)
		}
		p, err := domain.NewStoragePath(spec)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("NewStoragePath(%q, %d): got error %v, want domain.ErrInvalid", filename, unix, err)
			}
			return
		}
		s := p.String()
		checkPathString(t, s)
		if len(p.Filename()) > domain.MaxFilenameBytes {
			t.Errorf("filename %q has %d bytes, want at most %d", p.Filename(), len(p.Filename()), domain.MaxFilenameBytes)
		}
		back, err := domain.ParseStoragePath(s)
		if err != nil {
			t.Fatalf("NewStoragePath(%q, %d) = %q, which ParseStoragePath refuses: %v", filename, unix, s, err)
		}
		if back != p {
			t.Errorf("round trip of %q: got %#v, want %#v", s, back, p)
		}
	})
}
