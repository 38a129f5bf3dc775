package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDownloadNameBytes bounds the name a download is offered under: what
// one file name may hold on common file systems, so a browser saves it
// as offered and a signed URL carrying it stays short.
const MaxDownloadNameBytes = 255

// DownloadName is the name a browser is offered to save the file under
// (Content-Disposition): the record's original_filename, the name its
// uploader's file had. What a saved name cannot safely hold is taken out
// of it: any directory part ("C:\fakepath\", "../"), control and format
// characters (bidirectional overrides that would show "exe.pdf" as
// "fdp.exe", zero-width characters) become '_', leading and trailing
// spaces and dots go, and the result is cut to MaxDownloadNameBytes on a
// character boundary, keeping the extension. A record with no usable
// original name is offered under its sanitized path filename.
func (r *FileRecord) DownloadName() string {
	if name := downloadName(r.d.OriginalFilename); name != "" {
		return name
	}
	return r.d.Path.Filename()
}

func downloadName(original string) string {
	name := strings.ToValidUTF8(original, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if len(name) <= MaxDownloadNameBytes {
		return name
	}
	stem, ext := splitExtension(name)
	stem = stem[:MaxDownloadNameBytes-len(ext)]
	for !utf8.ValidString(stem) { // cut mid-character: drop its start
		stem = stem[:len(stem)-1]
	}
	return strings.TrimRight(stem, " .") + ext
}
