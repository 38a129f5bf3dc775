package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"
)

// ContentRule says what a kind of object accepts: a size bound, the
// sniffed content types allowed and, for archives, the archive the bytes
// must be. Patterns are exact types ("application/pdf") or a prefix ending
// in a wildcard ("image/*", "application/vnd.openxmlformats-officedocument.*");
// "*/*" allows anything.
//
// A use case that stores bytes applies all of it, in this order: CheckName
// before it reads the body, CheckSize and CheckType while it streams, and
// CheckContent once the bytes are stored and before they are committed.
type ContentRule struct {
	// Kind is the kind the rule is for, named in its refusals ("not
	// accepted for accounting/receipt"); the use case that looks the rule
	// up sets it. A rule without one says "here".
	Kind     Kind
	MaxBytes int64
	Allowed  []string
	// Archive, when set, is the zip archive the file must be (the
	// app-builder kinds). Configuration changes MaxBytes and Allowed only.
	Archive *ZipArchive
}

// CheckName checks the file's name against the rule before any byte is
// read: an archive's name must end in .zip (ZipArchive.CheckName).
func (r ContentRule) CheckName(filename string) error {
	if r.Archive == nil {
		return nil
	}
	return r.Archive.CheckName(filename)
}

// CheckContent checks the stored bytes (size of them, read through rd)
// against the rule: an archive must be a readable, bounded zip
// (ZipArchive.Check). Other rules need nothing beyond CheckType.
func (r ContentRule) CheckContent(rd io.ReaderAt, size int64) error {
	if r.Archive == nil {
		return nil
	}
	return r.Archive.Check(rd, size)
}

// ImagesAndPDF narrows r to the images and PDF it allows, as
// receipt-upload promises whatever else its configured rule allows: an
// image pattern is kept, a wildcard as wide as all images becomes
// "image/*", and a pattern allowing PDF becomes "application/pdf". The
// size bound and archive are kept.
func (r ContentRule) ImagesAndPDF() ContentRule {
	var allowed []string
	for _, pat := range r.Allowed {
		one := ContentRule{Allowed: []string{pat}}
		switch {
		case strings.HasPrefix(strings.ToLower(pat), "image/"):
			allowed = append(allowed, pat)
		case one.Allows("image/png"): // */* or a wildcard as wide
			allowed = append(allowed, "image/*")
		}
		if one.Allows("application/pdf") {
			allowed = append(allowed, "application/pdf")
		}
	}
	r.Allowed = allowed
	return r
}

// Allows reports whether a sniffed content type (parameters ignored) is allowed.
func (r ContentRule) Allows(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	for _, pat := range r.Allowed {
		pat = strings.ToLower(pat)
		if pat == "*/*" || pat == ct {
			return true
		}
		if prefix, ok := strings.CutSuffix(pat, "*"); ok && len(ct) > len(prefix) && strings.HasPrefix(ct, prefix) {
			return true
		}
	}
	return false
}

// CheckSize returns ErrTooLarge when n exceeds the rule's bound; its
// message names the bound in binary units and the kind ("The file is
// larger than the 20 MiB allowed for accounting/receipt.").
func (r ContentRule) CheckSize(n int64) error {
	if r.MaxBytes > 0 && n > r.MaxBytes {
		return tooLarge(r.MaxBytes, r.where())
	}
	return nil
}

func tooLarge(limit int64, where string) error {
	return Errorf(ErrTooLarge, "file_too_large", "The file is larger than the %s allowed %s.", FormatSize(limit), where)
}

// CheckType returns ErrUnsupportedType unless contentType is allowed; its
// message names the type, the kind and every type the kind accepts, so a
// client can tell its user what to send instead.
func (r ContentRule) CheckType(contentType string) error {
	if !r.Allows(contentType) {
		accepts := "no content type"
		if len(r.Allowed) > 0 {
			accepts = strings.Join(r.Allowed, ", ")
		}
		ct, _, _ := strings.Cut(contentType, ";") // as Allows: parameters do not count
		return Errorf(ErrUnsupportedType, "unsupported_content_type",
			"Content of type %s is not accepted %s, which accepts: %s.", clipType(strings.TrimSpace(ct)), r.where(), accepts)
	}
	return nil
}

// where names the rule's kind for a message: "for accounting/receipt",
// or "here" when the rule has none.
func (r ContentRule) where() string {
	if r.Kind == (Kind{}) {
		return "here"
	}
	return "for " + r.Kind.String()
}

// clipType bounds a content type a client declared before it is echoed:
// RFC 6838 allows 127 characters on each side of the slash, so a valid
// type is never cut.
func clipType(s string) string {
	const max = 255
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return sanitizeForMessage(s)
}

const mib = 1 << 20

var (
	officeTypes = []string{
		"application/pdf", "text/plain", "text/csv", "text/markdown", "text/html", "application/rtf", "text/rtf",
		"application/vnd.openxmlformats-officedocument.*",
		"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
		"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.oasis.opendocument.presentation", "application/zip", "application/json",
		"image/*",
	}
	receiptTypes = []string{"image/jpeg", "image/png", "image/heic", "image/heif", "image/webp", "application/pdf"}
	zipTypes     = []string{"application/zip"}
)

// DefaultContentRules are the built-in per-kind rules; configuration may
// override any of them.
func DefaultContentRules() map[Kind]ContentRule {
	office := func(max int64) ContentRule {
		return ContentRule{MaxBytes: max, Allowed: officeTypes}
	}
	return map[Kind]ContentRule{
		{SystemWorkspace, TypeDoc}:                    office(100 * mib),
		{SystemWorkspace, TypeSheet}:                  office(100 * mib),
		{SystemWorkspace, TypeSlide}:                  office(200 * mib),
		{SystemWorkspace, TypePDF}:                    {MaxBytes: 100 * mib, Allowed: []string{"application/pdf"}},
		{SystemAccounting, TypeReceipt}:               {MaxBytes: 20 * mib, Allowed: receiptTypes},
		{SystemAccounting, TypeInvoice}:               {MaxBytes: 20 * mib, Allowed: append(append([]string{}, receiptTypes...), "application/xml", "text/xml")},
		{SystemAccounting, TypeExport}:                {MaxBytes: 200 * mib, Allowed: []string{"text/csv", "text/plain", "application/pdf", "application/zip", "application/json", "application/vnd.openxmlformats-officedocument.*", "application/xml", "text/xml"}},
		{SystemCommunications, TypeEmailAttachment}:   {MaxBytes: 50 * mib, Allowed: []string{"*/*"}},
		{SystemCommunications, TypeMessageAttachment}: {MaxBytes: 50 * mib, Allowed: []string{"*/*"}},
		{SystemAppBuilder, TypeSource}:                {MaxBytes: 512 * mib, Allowed: zipTypes, Archive: appArchive},
		{SystemAppBuilder, TypeBuild}:                 {MaxBytes: 512 * mib, Allowed: zipTypes, Archive: appArchive},
	}
}

// Accept checks sniffed content against the rule and returns the type to
// record. types is the sniffer's verdict: the detected type first, then
// the types it specialises, most specific first (a CSV is also
// text/plain), without the catch-all application/octet-stream. The
// detected type is accepted when the rule allows it or one of the types
// it specialises; active content (IsActiveContent: HTML is also
// text/plain to a sniffer, XHTML also text/xml) only when the rule allows
// its very type. Otherwise ErrUnsupportedType.
func (r ContentRule) Accept(types []string) (string, error) {
	if len(types) == 0 {
		return "", r.CheckType("application/octet-stream")
	}
	detected := types[0]
	if r.Allows(detected) {
		return detected, nil
	}
	if !IsActiveContent(detected) {
		for _, t := range types[1:] {
			if r.Allows(t) {
				return detected, nil
			}
		}
	}
	return "", r.CheckType(detected)
}

// Meter counts and hashes the bytes of a file as they stream through it,
// and fails with ErrTooLarge as soon as more than the rule's MaxBytes were
// read, so an oversized body is refused while streaming, before it is
// stored whole.
func (r ContentRule) Meter(src io.Reader) *Meter {
	m := NewMeter(src, r.MaxBytes)
	m.where = r.where()
	return m
}

// NewMeter is a Meter bounded by max bytes (max <= 0: no bound).
func NewMeter(src io.Reader, max int64) *Meter {
	return &Meter{r: src, max: max, h: sha256.New(), where: "here"}
}

// Meter is an io.Reader that counts, hashes and bounds what it reads.
type Meter struct {
	r     io.Reader
	max   int64
	n     int64
	h     hash.Hash
	where string // the kind, for the message
}

func (m *Meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.max > 0 && m.n > m.max {
		return 0, tooLarge(m.max, m.where)
	}
	m.h.Write(p[:n])
	return n, err
}

// N is the number of bytes read so far.
func (m *Meter) N() int64 { return m.n }

// SHA256 is the hex SHA-256 of the bytes read so far.
func (m *Meter) SHA256() string { return hex.EncodeToString(m.h.Sum(nil)) }
