package domain

import (
	"strings"
	"time"
)

// How stored files are served: signed URL lifetimes, dispositions, and
// the content a browser must never render on a serving origin.

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
