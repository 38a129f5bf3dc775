package domain

import (
	"io"
	"strings"
	"time"
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

// CheckSize returns ErrTooLarge when n exceeds the rule's bound.
func (r ContentRule) CheckSize(n int64) error {
	if r.MaxBytes > 0 && n > r.MaxBytes {
		return Errorf(ErrTooLarge, "file_too_large", "The file is larger than the %d bytes allowed here.", r.MaxBytes)
	}
	return nil
}

// CheckType returns ErrUnsupportedType unless contentType is allowed.
func (r ContentRule) CheckType(contentType string) error {
	if !r.Allows(contentType) {
		return Errorf(ErrUnsupportedType, "unsupported_content_type",
			"Content of type %s is not allowed here.", clip(contentType))
	}
	return nil
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

// The bounds a client may ask for with expires_in.
const (
	MinSignedURLExpiry = 60 * time.Second
	MaxSignedURLExpiry = 900 * time.Second
)

// DefaultSignedURLExpiry is SPEC §4's per-kind default lifetime of a signed URL.
func DefaultSignedURLExpiry(k Kind) time.Duration {
	switch {
	case k.System == SystemAppBuilder:
		return 5 * time.Minute
	case k.ObjectType == TypeReceipt:
		return 10 * time.Minute
	case k.ObjectType == TypeInvoice:
		return 15 * time.Minute
	case k.System == SystemWorkspace:
		return 15 * time.Minute
	}
	return 10 * time.Minute
}

// SignedURLExpiry resolves a requested lifetime: none (nil) means the
// kind's default; anything outside [MinSignedURLExpiry, MaxSignedURLExpiry],
// zero included, is ErrInvalid.
func SignedURLExpiry(k Kind, requested *time.Duration) (time.Duration, error) {
	if requested == nil {
		return DefaultSignedURLExpiry(k), nil
	}
	if *requested < MinSignedURLExpiry || *requested > MaxSignedURLExpiry {
		return 0, Errorf(ErrInvalid, "invalid_expires_in",
			"expires_in must be between %d and %d seconds.", int(MinSignedURLExpiry.Seconds()), int(MaxSignedURLExpiry.Seconds()))
	}
	return *requested, nil
}

// Disposition says how a browser should treat a downloaded file.
type Disposition string

// The dispositions a signed URL may request.
const (
	DispositionInline     Disposition = "inline"
	DispositionAttachment Disposition = "attachment"
)

// activeTypes are the content types a browser renders as a document that
// can run script, or that carry such a document: HTML and XHTML, XML (which
// may carry either, or an XSLT; every "+xml" type is XML too, see
// IsActiveContent), JavaScript and ECMAScript, XSL, Flash, and web
// archives (MHTML) that bundle an HTML page.
var activeTypes = map[string]bool{
	"text/html": true, "application/xhtml+xml": true, "image/svg+xml": true,
	"text/xml": true, "application/xml": true, "text/xsl": true, "text/xml-external-parsed-entity": true,
	"text/javascript": true, "application/javascript": true, "application/x-javascript": true,
	"text/ecmascript": true, "application/ecmascript": true, "text/jscript": true,
	"application/x-shockwave-flash": true,
	"multipart/related":             true, "message/rfc822": true, "application/x-mimearchive": true,
}

// IsActiveContent reports whether contentType (parameters ignored) is one a
// browser may run script in when it opens it: a type of activeTypes, or any
// type of the XML family ("+xml": RSS, Atom, KML, XSLT, SVG, …), which a
// browser may render as XML with an XSLT or XHTML inside. Such files are
// accepted only where a rule allows their very type, and are always served
// as attachments (ServedDisposition).
func IsActiveContent(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	return activeTypes[ct] || strings.HasSuffix(ct, "+xml")
}

// ServedDisposition is the disposition a file of contentType is served
// with when requested is asked for: active content (IsActiveContent) is
// never shown inline, so that a stored page cannot run script on the
// origin that serves it.
func ServedDisposition(requested Disposition, contentType string) Disposition {
	if IsActiveContent(contentType) {
		return DispositionAttachment
	}
	return requested
}

// ParseDisposition accepts "inline" (also the default for "") or "attachment".
func ParseDisposition(s string) (Disposition, error) {
	switch Disposition(s) {
	case "", DispositionInline:
		return DispositionInline, nil
	case DispositionAttachment:
		return DispositionAttachment, nil
	}
	return "", Errorf(ErrInvalid, "invalid_disposition", "disposition must be \"inline\" or \"attachment\".")
}
