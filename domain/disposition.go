package domain

import (
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"
)

// Header renders the Content-Disposition header (RFC 6266) for a file
// offered under filename: the disposition, an ASCII fallback filename for
// old clients, and the exact name in UTF-8 as filename* (RFC 8187). Any
// disposition but attachment renders as inline. A mime.ParseMediaType of
// the result gives back the exact name.
func (d Disposition) Header(filename string) string {
	disposition := string(DispositionInline)
	if d == DispositionAttachment {
		disposition = string(DispositionAttachment)
	}
	if filename == "" {
		return disposition
	}
	filename = strings.ToValidUTF8(filename, "\uFFFD")
	params := map[string]string{"filename": asciiFallback(filename), "filename*": "UTF-8''" + encodeExtValue(filename)}
	if v := mime.FormatMediaType(disposition, params); v != "" {
		return v
	}
	return disposition
}

// asciiFallback replaces what an old client could misread: non-ASCII,
// control characters, quotes, backslashes and percent signs.
func asciiFallback(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '\\' || r == '%' || r == '"' {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// encodeExtValue percent-encodes UTF-8 bytes outside RFC 8187's attr-char.
func encodeExtValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
