package domain

import (
	"bytes"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// maxNameShown is how much of a refused entry name a message quotes.
const maxNameShown = 64

// checkEntryName refuses an entry name that would extract outside the
// archive's root (a ".." segment, a leading "/" or drive letter), that holds
// a backslash or a control character, or that is not valid UTF-8 although
// the entry's UTF-8 flag says it is (APPNOTE 4.4.4 bit 11, 4.4.17).
func checkEntryName(name []byte, flaggedUTF8 bool) error {
	switch {
	case len(name) > 0 && name[0] == '/',
		len(name) > 1 && name[1] == ':' && isASCIILetter(name[0]),
		hasDotDotSegment(name):
		return notZip("The zip archive has an entry outside its root: %s.", quotedPrefix(name))
	case bytes.IndexByte(name, '\\') >= 0:
		return notZip("The zip archive has an entry name with a backslash: %s.", quotedPrefix(name))
	case hasControl(name, flaggedUTF8):
		return notZip("The zip archive has an entry name with a control character: %s.", quotedPrefix(name))
	case flaggedUTF8 && !utf8.Valid(name):
		return notZip("The zip archive has an entry name that is not valid UTF-8: %s.", quotedPrefix(name))
	}
	return nil
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func hasDotDotSegment(name []byte) bool {
	for len(name) > 0 {
		seg := name
		if i := bytes.IndexByte(name, '/'); i >= 0 {
			seg, name = name[:i], name[i+1:]
		} else {
			name = nil
		}
		if len(seg) == 2 && seg[0] == '.' && seg[1] == '.' {
			return true
		}
	}
	return false
}

// hasControl reports a C0 control or DEL, and in a UTF-8 name a C1
// control too; bytes of a CP437 name (the default) above 0x7F are all
// printable.
func hasControl(name []byte, flaggedUTF8 bool) bool {
	for len(name) > 0 {
		if c := name[0]; c < 0x20 || c == 0x7f {
			return true
		}
		n := 1
		if flaggedUTF8 {
			var r rune
			if r, n = utf8.DecodeRune(name); r >= 0x80 && unicode.IsControl(r) {
				return true
			}
		}
		name = name[n:]
	}
	return false
}

// quotedPrefix quotes, in ASCII with escapes, at most the first
// maxNameShown bytes of a client's entry name for a message.
func quotedPrefix(name []byte) string {
	s := strconv.QuoteToASCII(string(name[:min(len(name), maxNameShown)]))
	if len(name) > maxNameShown {
		s += "..."
	}
	return s
}
