package domain

import (
	"strings"
	"time"
)

// MaxFilenameBytes bounds a sanitized filename, timestamp prefix included.
const MaxFilenameBytes = 200

// MaxOriginalFilenameBytes bounds a filename as a client sends it (kept as
// the record's original_filename); a longer one is refused, not cut.
const MaxOriginalFilenameBytes = 1024

// maxExtensionBytes bounds what counts as an extension (the dot included);
// a longer dotted tail is treated as part of the name.
const maxExtensionBytes = 16

// TimestampLayout is the UTC prefix added to filenames on request:
// 20260126_153045_IMG_2024.jpg.
const TimestampLayout = "20060102_150405_"

// SanitizeFilename turns a client-supplied filename into the canonical form
// used in storage paths. Characters outside [A-Za-z0-9._-] become '_', runs of
// '_' and '.' collapse, leading and trailing dots are stripped, the extension
// is kept, and the result is at most MaxFilenameBytes bytes. It is idempotent.
// A name that sanitizes to nothing, or to only an extension, is ErrInvalid,
// and so is one longer than MaxOriginalFilenameBytes (filename_too_long).
func SanitizeFilename(name string) (string, error) {
	return sanitizeFilename(name, MaxFilenameBytes)
}

// TimestampedFilename sanitizes name and prefixes it with at (in UTC) in
// TimestampLayout, keeping the whole within MaxFilenameBytes.
func TimestampedFilename(name string, at time.Time) (string, error) {
	prefix := at.UTC().Format(TimestampLayout)
	clean, err := sanitizeFilename(name, MaxFilenameBytes-len(prefix))
	if err != nil {
		return "", err
	}
	// The prefix ends in '_': drop the name's own leading '_' so the joint
	// does not form a run that sanitizing (and ParseStoragePath) would refuse.
	return prefix + strings.TrimPrefix(clean, "_"), nil
}

func sanitizeFilename(name string, maxBytes int) (string, error) {
	if len(name) > MaxOriginalFilenameBytes {
		return "", Errorf(ErrInvalid, "filename_too_long", "The file name is longer than %d bytes.", MaxOriginalFilenameBytes)
	}
	var b strings.Builder
	b.Grow(len(name))
	var last rune
	for _, r := range name {
		if !isFilenameRune(r) {
			r = '_'
		}
		if (r == '_' || r == '.') && r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	s := b.String()
	onlyExtension := strings.HasPrefix(s, ".") && !strings.Contains(s[1:], ".")
	s = strings.Trim(s, ".")
	if onlyExtension || !hasAlnum(s) {
		return "", emptyName(name)
	}

	stem, ext := splitExtension(s)
	if !hasAlnum(stem) {
		return "", emptyName(name)
	}
	if len(stem)+len(ext) > maxBytes {
		stem = strings.TrimRight(stem[:maxBytes-len(ext)], "._")
		if !hasAlnum(stem) {
			return "", emptyName(name)
		}
	}
	return stem + ext, nil
}

// splitExtension splits "name.ext" into "name" and ".ext" when the tail
// looks like an extension: a dot and up to 15 letters or digits.
func splitExtension(s string) (stem, ext string) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || len(s)-i > maxExtensionBytes || len(s)-i < 2 {
		return s, ""
	}
	for j := i + 1; j < len(s); j++ {
		if c := s[j]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return s, ""
		}
	}
	return s[:i], s[i:]
}

func isFilenameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '_' || r == '-'
}

func hasAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

func emptyName(name string) error {
	return Errorf(ErrInvalid, "invalid_filename",
		"Filename %q has no usable characters once sanitized.", clip(name))
}
