package domain

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
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

// The zip records Check reads ahead of archive/zip (APPNOTE 4.3.14–16).
var (
	sigEOCD          = []byte("PK\x05\x06")
	sigZip64Locator  = []byte("PK\x06\x07")
	sigZip64EOCD     = []byte("PK\x06\x06")
	errNotZipArchive = errors.New("not a zip archive")
)

const (
	eocdLen          = 22
	zip64LocatorLen  = 20
	zip64EOCDMinLen  = 56
	maxZipCommentLen = 0xffff
)

// CheckName refuses a file name that does not end in .zip (any case):
// ErrInvalid, code zip_extension_required. It needs no byte of the file.
func (z ZipArchive) CheckName(filename string) error {
	if !strings.HasSuffix(strings.ToLower(filename), ".zip") {
		return Errorf(ErrInvalid, "zip_extension_required", "An app-builder file's name must end in .zip.")
	}
	return nil
}

// Check reads the size bytes of r as a zip archive: its central directory
// must parse, with at most MaxEntries entries (counted before archive/zip
// allocates them) and at most MaxUncompressed bytes once uncompressed.
// Anything else is ErrUnsupportedType, code not_a_zip; a failure to read r
// that matches ErrUnavailable is returned as it is.
func (z ZipArchive) Check(r io.ReaderAt, size int64) error {
	n, err := zipEntryCount(r, size)
	if err == nil && n > z.MaxEntries {
		return notZip("The zip archive has more than %d entries.", z.MaxEntries)
	}
	var zr *zip.Reader
	if err == nil {
		zr, err = zip.NewReader(r, size)
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	if err != nil {
		return notZip("The file is not a readable zip archive.")
	}
	var total uint64
	for _, f := range zr.File {
		if total += f.UncompressedSize64; total > z.MaxUncompressed {
			return notZip("The zip archive would uncompress to more than %d bytes.", z.MaxUncompressed)
		}
	}
	return nil
}

func notZip(format string, args ...any) error {
	return Errorf(ErrUnsupportedType, "not_a_zip", format, args...)
}

// zipEntryCount reads the number of entries from the end of central
// directory record (or its zip64 form) without parsing the directory.
func zipEntryCount(r io.ReaderAt, size int64) (uint64, error) {
	if size < eocdLen {
		return 0, errNotZipArchive
	}
	tailLen := min(size, eocdLen+maxZipCommentLen)
	tail := make([]byte, tailLen)
	if err := readFull(r, tail, size-tailLen); err != nil {
		return 0, err
	}
	i := len(tail) - eocdLen
	for ; i >= 0; i-- { // the record whose comment ends the file
		if bytes.Equal(tail[i:i+4], sigEOCD) && i+eocdLen+int(binary.LittleEndian.Uint16(tail[i+20:])) == len(tail) {
			break
		}
	}
	if i < 0 {
		return 0, errNotZipArchive
	}
	if n := binary.LittleEndian.Uint16(tail[i+10:]); n != 0xffff {
		return uint64(n), nil
	}
	eocdAt := size - tailLen + int64(i)
	if eocdAt < zip64LocatorLen {
		return 0, errNotZipArchive
	}
	loc := make([]byte, zip64LocatorLen)
	if err := readFull(r, loc, eocdAt-zip64LocatorLen); err != nil {
		return 0, err
	}
	if !bytes.Equal(loc[:4], sigZip64Locator) {
		return 0, errNotZipArchive
	}
	at := binary.LittleEndian.Uint64(loc[8:])
	if size < zip64EOCDMinLen || at > uint64(size-zip64EOCDMinLen) {
		return 0, errNotZipArchive
	}
	rec := make([]byte, zip64EOCDMinLen)
	if err := readFull(r, rec, int64(at)); err != nil {
		return 0, err
	}
	if !bytes.Equal(rec[:4], sigZip64EOCD) {
		return 0, errNotZipArchive
	}
	return binary.LittleEndian.Uint64(rec[32:]), nil
}

// readFull fills p from r at off; a short read means a malformed archive.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return errNotZipArchive
	}
	return err
}
