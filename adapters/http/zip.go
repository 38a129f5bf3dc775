package httpapi

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"storagegw/domain"
)

// Bounds on an app-builder zip archive.
const (
	maxZipEntries      = 100_000
	maxZipUncompressed = 4 << 30
)

// The zip records verifyZip reads ahead of archive/zip (APPNOTE 4.3.14–16).
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

// checkZipName refuses an app-builder file whose name does not end in .zip
// (400 zip_extension_required), on every route that stores one, before its
// body is read.
func checkZipName(system, filename string) error {
	if system == string(domain.SystemAppBuilder) && !strings.HasSuffix(strings.ToLower(filename), ".zip") {
		return errorf(domain.ErrInvalid, "zip_extension_required", "An app-builder file's name must end in .zip.")
	}
	return nil
}

// verifyZip is the app-zip upload's UploadCommand.Verify: the stored blob
// must be a zip archive whose central directory parses, with at most
// maxZipEntries entries (counted before archive/zip allocates them) and at
// most maxZipUncompressed bytes once uncompressed. A failure to read the
// blob keeps its own error; anything else is 415 not_a_zip.
func verifyZip(_ context.Context, r io.ReaderAt, size int64) error {
	n, err := zipEntryCount(r, size)
	if err == nil && n > maxZipEntries {
		return notZip("The zip archive has more than %d entries.", maxZipEntries)
	}
	var zr *zip.Reader
	if err == nil {
		zr, err = zip.NewReader(r, size)
	}
	if errors.Is(err, domain.ErrUnavailable) {
		return err
	}
	if err != nil {
		return notZip("The file is not a readable zip archive.")
	}
	var total uint64
	for _, f := range zr.File {
		if total += f.UncompressedSize64; total > maxZipUncompressed {
			return notZip("The zip archive would uncompress to more than %d bytes.", uint64(maxZipUncompressed))
		}
	}
	return nil
}

func notZip(format string, args ...any) error {
	return errorf(domain.ErrUnsupportedType, "not_a_zip", format, args...)
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
