package domain

import "unicode/utf8"

// CheckText is the one rule for text a client sends (a file name, a form
// field, a JSON string, a query parameter, a token's subject): it must be
// valid UTF-8 without NUL, other C0 control characters or DEL. Such text
// is refused, never cleaned: PostgreSQL refuses NUL and invalid UTF-8 in
// text, and a control character has no business in a name, an id or a
// filter. field names the input in the message; the code is invalid_text.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(ErrInvalid, "invalid_text", "%s is not valid UTF-8 text.", field)
	}
	if i := firstControl(s); i >= 0 {
		return Errorf(ErrInvalid, "invalid_text", "%s contains a control character (byte 0x%02x).", field, s[i])
	}
	return nil
}

// isPlainText reports whether s is what CheckText accepts: valid UTF-8
// without NUL, other C0 control characters or DEL.
func isPlainText(s string) bool { return utf8.ValidString(s) && firstControl(s) < 0 }

// firstControl is the index of the first C0 control byte or DEL in s, or
// -1. (Multi-byte UTF-8 sequences never hold such a byte.)
func firstControl(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return i
		}
	}
	return -1
}

// TextField is one named client string, for CheckTexts.
type TextField struct{ Name, Value string }

// CheckTexts applies CheckText to each field in order and returns the
// first refusal.
func CheckTexts(fields ...TextField) error {
	for _, f := range fields {
		if err := CheckText(f.Name, f.Value); err != nil {
			return err
		}
	}
	return nil
}
