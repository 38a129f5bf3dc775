package domain

import (
	"errors"
	"io"
	"strings"
)

// ZipArchive is a content rule's demand that a file be a zip archive: its
// name ends in .zip and its bytes are a readable archive within bounds.
// The app-builder kinds hold to it (DefaultContentRules).
type ZipArchive struct {
	MaxEntries      uint64 // entries in the central directory
	MaxUncompressed uint64 // bytes of all entries once uncompressed
}

// appArchive bounds an app-builder archive.
var appArchive = &ZipArchive{MaxEntries: 100_000, MaxUncompressed: 4 << 30}

// errNotZipArchive is a malformed archive that Check reports with its
// generic message.
var errNotZipArchive = errors.New("not a zip archive")

// CheckName refuses a file name that does not end in .zip (any case):
// ErrInvalid, code zip_extension_required. It needs no byte of the file.
func (z ZipArchive) CheckName(filename string) error {
	if !strings.HasSuffix(strings.ToLower(filename), ".zip") {
		return Errorf(ErrInvalid, "zip_extension_required", "An app-builder file's name must end in .zip.")
	}
	return nil
}

// Check reads the size bytes of r as a zip archive by its real structure:
// the end of central directory record (zip64 too), then every central
// directory header, each of which must be where the directory says, name an
// entry inside the archive's root (no "..", leading "/" or drive letter,
// backslash or control character; valid UTF-8 when flagged so) and hold its
// local header inside the file. The number of headers walked must equal the
// number the end record declares (no header may follow the directory's
// declared size), and is bounded by MaxEntries; the sum of their
// uncompressed sizes by MaxUncompressed. Both bounds stop the walk as soon
// as they are passed. Offsets are from the start of the file: an archive
// behind a prefix (a self-extracting one) is refused.
//
// The parser (APPNOTE.TXT 4.3.12 central directory header, 4.3.14–16
// zip64 and end records, 4.5.3 zip64 extra field) is written by hand, not
// archive/zip, because archive/zip allocates every entry: Check's memory is a small constant (the file's
// last 64 KiB and one buffer of at most 1 MiB) whatever the archive
// claims. It reads r a bounded number of times, which matters when each
// ReadAt is a ranged GET: once for the tail (the end records, and the
// whole archive when it is small), then the central directory in chunks
// of the buffer's size, then 4 bytes of the first local header (and, when
// they lie before the tail, the zip64 record and what follows the
// directory).
//
// Anything malformed or over a bound is ErrUnsupportedType, code
// not_a_zip, with a message naming the problem; a failure to read r that
// matches ErrUnavailable is returned as it is.
func (z ZipArchive) Check(r io.ReaderAt, size int64) error {
	err := z.check(r, size)
	if err == nil || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrUnsupportedType) {
		return err
	}
	return notZip("The file is not a readable zip archive.")
}

func (z ZipArchive) check(r io.ReaderAt, size int64) error {
	tr, err := readTail(r, size)
	if err != nil {
		return err
	}
	end, err := tr.directoryEnd()
	if err != nil {
		return err
	}
	if end.entries > z.MaxEntries {
		return notZip("The zip archive has more than %d entries.", z.MaxEntries)
	}
	return z.walkDirectory(tr, end)
}

func notZip(format string, args ...any) error {
	return Errorf(ErrUnsupportedType, "not_a_zip", format, args...)
}
