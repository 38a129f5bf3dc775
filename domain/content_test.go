package domain_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

func TestContentRuleAllows(t *testing.T) {
	t.Parallel()
	office := domain.DefaultContentRules()[domain.Kind{System: domain.SystemWorkspace, ObjectType: domain.TypeDoc}]
	tests := []struct {
		name    string
		allowed []string
		ct      string
		want    bool
	}{
		{name: "exact", allowed: []string{"application/pdf"}, ct: "application/pdf", want: true},
		{name: "exact, parameters ignored", allowed: []string{"text/plain"}, ct: "text/plain; charset=utf-8", want: true},
		{name: "case-insensitive", allowed: []string{"Application/PDF"}, ct: "APPLICATION/pdf", want: true},
		{name: "surrounding space", allowed: []string{"application/pdf"}, ct: "  application/pdf ; x=y", want: true},
		{name: "other type", allowed: []string{"application/pdf"}, ct: "application/zip", want: false},
		{name: "prefix of an exact type is not enough", allowed: []string{"application/pdf"}, ct: "application/pdfx", want: false},
		{name: "major wildcard", allowed: []string{"image/*"}, ct: "image/png", want: true},
		{name: "major wildcard with parameters", allowed: []string{"image/*"}, ct: "image/svg+xml; charset=utf-8", want: true},
		{name: "major wildcard, other major", allowed: []string{"image/*"}, ct: "imagex/png", want: false},
		{name: "major wildcard, empty subtype", allowed: []string{"image/*"}, ct: "image/", want: false},
		{name: "major wildcard, bare major", allowed: []string{"image/*"}, ct: "image", want: false},
		{name: "vendor prefix wildcard", allowed: []string{"application/vnd.openxmlformats-officedocument.*"}, ct: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", want: true},
		{name: "vendor prefix wildcard, other vendor", allowed: []string{"application/vnd.openxmlformats-officedocument.*"}, ct: "application/vnd.ms-excel", want: false},
		{name: "any", allowed: []string{"*/*"}, ct: "application/x-msdownload", want: true},
		{name: "nothing allowed", allowed: nil, ct: "text/plain", want: false},
		{name: "empty type against a list", allowed: []string{"image/*", "application/pdf"}, ct: "", want: false},
		{name: "default office rule takes docx", allowed: office.Allowed, ct: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", want: true},
		{name: "default office rule takes xlsx", allowed: office.Allowed, ct: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", want: true},
		{name: "default office rule takes jpeg", allowed: office.Allowed, ct: "image/jpeg", want: true},
		{name: "default office rule refuses executables", allowed: office.Allowed, ct: "application/x-msdownload", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := domain.ContentRule{Allowed: tt.allowed}
			if got := r.Allows(tt.ct); got != tt.want {
				t.Errorf("Allows(%q) with %v = %v, want %v", tt.ct, tt.allowed, got, tt.want)
			}
			err := r.CheckType(tt.ct)
			if tt.want {
				checkErr(t, err, nil, "")
			} else {
				checkErr(t, err, domain.ErrUnsupportedType, "unsupported_content_type")
			}
		})
	}
}

func TestContentRuleCheckSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		max  int64
		n    int64
		ok   bool
	}{
		{"under", 100, 99, true},
		{"at the bound", 100, 100, true},
		{"one over", 100, 101, false},
		{"empty file", 100, 0, true},
		{"no bound", 0, 1 << 40, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.ContentRule{MaxBytes: tt.max}.CheckSize(tt.n)
			if tt.ok {
				checkErr(t, err, nil, "")
			} else {
				checkErr(t, err, domain.ErrTooLarge, "file_too_large")
			}
		})
	}
}

func TestDefaultContentRules(t *testing.T) {
	t.Parallel()
	rules := domain.DefaultContentRules()
	for _, k := range domain.Kinds() {
		r, ok := rules[k]
		if !ok || r.MaxBytes <= 0 || len(r.Allowed) == 0 {
			t.Errorf("rule for %s = %+v, %v; want a bounded rule", k, r, ok)
		}
	}
	receipt := rules[domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}]
	for _, ct := range []string{"image/jpeg", "image/png", "image/heic", "image/webp", "application/pdf"} {
		if !receipt.Allows(ct) {
			t.Errorf("receipt rule refuses %s, want allowed (SPEC §4)", ct)
		}
	}
	if receipt.Allows("application/zip") || receipt.MaxBytes != 20<<20 {
		t.Errorf("receipt rule = %+v, want no zip and 20 MiB", receipt)
	}
	for _, ot := range []domain.ObjectType{domain.TypeSource, domain.TypeBuild} {
		r := rules[domain.Kind{System: domain.SystemAppBuilder, ObjectType: ot}]
		if !r.Allows("application/zip") || r.Allows("application/pdf") || r.MaxBytes != 512<<20 {
			t.Errorf("app-builder/%s rule = %+v, want zip only, 512 MiB", ot, r)
		}
	}
	// Callers get copies: changing one must not change the defaults.
	rules[domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}] = domain.ContentRule{}
	if domain.DefaultContentRules()[domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}].MaxBytes == 0 {
		t.Errorf("changing a returned rule map changed the defaults")
	}
}

func TestDefaultSignedURLExpiry(t *testing.T) {
	t.Parallel()
	want := map[domain.ObjectType]time.Duration{
		domain.TypeDoc: 15 * time.Minute, domain.TypeSheet: 15 * time.Minute, domain.TypeSlide: 15 * time.Minute, domain.TypePDF: 15 * time.Minute,
		domain.TypeReceipt: 10 * time.Minute, domain.TypeInvoice: 15 * time.Minute, domain.TypeExport: 10 * time.Minute,
		domain.TypeEmailAttachment: 10 * time.Minute, domain.TypeMessageAttachment: 10 * time.Minute,
		domain.TypeSource: 5 * time.Minute, domain.TypeBuild: 5 * time.Minute,
	}
	for _, k := range domain.Kinds() {
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			w, ok := want[k.ObjectType]
			if !ok {
				t.Fatalf("no expected expiry for %s", k)
			}
			if got := domain.DefaultSignedURLExpiry(k); got != w {
				t.Errorf("DefaultSignedURLExpiry(%s) = %v, want %v", k, got, w)
			}
			if got, err := domain.SignedURLExpiry(k, nil); err != nil || got != w {
				t.Errorf("SignedURLExpiry(%s, nil) = %v, %v, want %v, nil", k, got, err, w)
			}
		})
	}
}

func TestSignedURLExpiry(t *testing.T) {
	t.Parallel()
	doc := domain.Kind{System: domain.SystemWorkspace, ObjectType: domain.TypeDoc}
	tests := []struct {
		name      string
		requested time.Duration
		want      time.Duration
		ok        bool
	}{
		{"zero", 0, 0, false},
		{"minimum", 60 * time.Second, 60 * time.Second, true},
		{"maximum", 900 * time.Second, 900 * time.Second, true},
		{"in between", 300 * time.Second, 300 * time.Second, true},
		{"one second short", 59 * time.Second, 0, false},
		{"one second over", 901 * time.Second, 0, false},
		{"negative", -60 * time.Second, 0, false},
		{"a day", 24 * time.Hour, 0, false},
		{"a nanosecond", time.Nanosecond, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.SignedURLExpiry(doc, &tt.requested)
			if !tt.ok {
				checkErr(t, err, domain.ErrInvalid, "invalid_expires_in")
				return
			}
			checkErr(t, err, nil, "")
			if got != tt.want {
				t.Errorf("SignedURLExpiry(%v) = %v, want %v", tt.requested, got, tt.want)
			}
		})
	}
}

func TestParseDisposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want domain.Disposition
		ok   bool
	}{
		{"", domain.DispositionInline, true},
		{"inline", domain.DispositionInline, true},
		{"attachment", domain.DispositionAttachment, true},
		{"Attachment", "", false},
		{"download", "", false},
		{"attachment; filename=x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseDisposition(tt.in)
			if !tt.ok {
				checkErr(t, err, domain.ErrInvalid, "invalid_disposition")
				return
			}
			checkErr(t, err, nil, "")
			if got != tt.want {
				t.Errorf("ParseDisposition(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestServedDisposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		contentType string
		active      bool
	}{
		{"text/html; charset=utf-8", true},
		{"TEXT/HTML", true},
		{"application/xhtml+xml", true},
		{"image/svg+xml", true},
		{"text/xml; charset=utf-8", true},
		{"application/xml", true},
		{"text/javascript", true},
		{"application/javascript", true},
		{"application/rss+xml", true},
		{"application/atom+xml; charset=utf-8", true},
		{"application/vnd.google-earth.kml+xml", true},
		{"APPLICATION/XSLT+XML", true},
		{"text/xsl", true},
		{"application/ecmascript", true},
		{"message/rfc822", true},
		{"multipart/related", true},
		{"text/plain; charset=utf-8", false},
		{"application/json", false},
		{"text/csv", false},
		{"application/xml-dtd-like", false},
		{"image/png", false},
		{"application/pdf", false},
		{"application/zip", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := domain.IsActiveContent(tt.contentType); got != tt.active {
			t.Errorf("IsActiveContent(%q) = %v, want %v", tt.contentType, got, tt.active)
		}
		want := domain.DispositionInline
		if tt.active {
			want = domain.DispositionAttachment
		}
		if got := domain.ServedDisposition(domain.DispositionInline, tt.contentType); got != want {
			t.Errorf("ServedDisposition(inline, %q) = %s, want %s", tt.contentType, got, want)
		}
		if got := domain.ServedDisposition(domain.DispositionAttachment, tt.contentType); got != domain.DispositionAttachment {
			t.Errorf("ServedDisposition(attachment, %q) = %s, want attachment", tt.contentType, got)
		}
	}
}

func TestImagesAndPDF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		allowed []string
		want    string
	}{
		{[]string{"*/*"}, "image/*,application/pdf"},
		{[]string{"image/jpeg", "text/csv", "application/pdf"}, "image/jpeg,application/pdf"},
		{[]string{"application/*"}, "application/pdf"},
		{[]string{"text/plain"}, ""},
	}
	for _, tc := range tests {
		r := domain.ContentRule{MaxBytes: 123, Allowed: tc.allowed}.ImagesAndPDF()
		if got := strings.Join(r.Allowed, ","); got != tc.want || r.MaxBytes != 123 {
			t.Errorf("%v: got %q (max %d), want %q", tc.allowed, got, r.MaxBytes, tc.want)
		}
	}
}

func TestContentRuleAccept(t *testing.T) {
	t.Parallel()
	rule := domain.ContentRule{MaxBytes: 10, Allowed: []string{"text/plain", "application/xml"}}
	tests := []struct {
		name    string
		types   []string
		want    string
		refused bool
	}{
		{"allowed itself", []string{"text/plain; charset=utf-8"}, "text/plain; charset=utf-8", false},
		{"a type it specialises is allowed", []string{"text/csv", "text/plain"}, "text/csv", false},
		{"active content needs its own type", []string{"text/html; charset=utf-8", "text/plain"}, "", true},
		{"+xml needs its own type", []string{"application/rss+xml", "text/xml", "application/xml"}, "", true},
		{"nothing allowed in the chain", []string{"image/png"}, "", true},
		{"no verdict", nil, "", true},
	}
	for _, tc := range tests {
		got, err := rule.Accept(tc.types)
		if (err != nil) != tc.refused || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q, refused %v", tc.name, got, err, tc.want, tc.refused)
		}
		if err != nil && !errors.Is(err, domain.ErrUnsupportedType) {
			t.Errorf("%s: got %v, want ErrUnsupportedType", tc.name, err)
		}
	}
}

func TestMeter(t *testing.T) {
	t.Parallel()
	m := domain.ContentRule{MaxBytes: 5}.Meter(strings.NewReader("hello"))
	if b, err := io.ReadAll(m); err != nil || string(b) != "hello" || m.N() != 5 ||
		m.SHA256() != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Errorf("within the bound: got %q, %v, %d, %s", b, err, m.N(), m.SHA256())
	}
	m = domain.ContentRule{MaxBytes: 4}.Meter(strings.NewReader("hello"))
	if _, err := io.ReadAll(m); !errors.Is(err, domain.ErrTooLarge) {
		t.Errorf("past the bound: got %v, want ErrTooLarge", err)
	}
	if _, err := io.ReadAll(domain.NewMeter(strings.NewReader("hello"), 0)); err != nil {
		t.Errorf("no bound: got %v", err)
	}
}
