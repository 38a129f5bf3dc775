package domain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// The records that end a zip archive (APPNOTE 4.3.14–16).
var (
	sigEOCD         = []byte("PK\x05\x06")
	sigZip64Locator = []byte("PK\x06\x07")
	sigZip64EOCD    = []byte("PK\x06\x06")
)

const (
	eocdLen          = 22
	zip64LocatorLen  = 20
	zip64EOCDMinLen  = 56
	maxZipCommentLen = 0xffff
	// maxTailLen is what Check reads of the end of a file first: the end
	// record with the longest comment, and the zip64 locator and record
	// that precede it.
	maxTailLen = eocdLen + maxZipCommentLen + zip64LocatorLen + zip64EOCDMinLen
)

// zipEnd is what the end records say of the central directory.
type zipEnd struct {
	entries uint64 // headers it declares
	dirAt   uint64 // offset of its first header
	dirSize uint64 // bytes of its headers
	dirEnd  uint64 // where the record after it (zip64 or not) starts
}

// tailReader reads a file whose last bytes it holds: a read that falls
// inside them costs no ReadAt.
type tailReader struct {
	r    io.ReaderAt
	size int64
	tail []byte
	at   int64 // offset of tail in the file
}

// readTail reads the last maxTailLen bytes (at most) of the size bytes of r.
func readTail(r io.ReaderAt, size int64) (*tailReader, error) {
	if size < eocdLen {
		return nil, errNotZipArchive
	}
	n := min(size, maxTailLen)
	t := &tailReader{r: r, size: size, tail: make([]byte, n), at: size - n}
	if err := readFull(r, t.tail, t.at); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *tailReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= t.at && off-t.at+int64(len(p)) <= int64(len(t.tail)) {
		return copy(p, t.tail[off-t.at:]), nil
	}
	return t.r.ReadAt(p, off)
}

// directoryEnd finds the end of central directory record (the one whose
// comment ends the file) and, when its fields overflow, the zip64 record
// its locator points to, and checks that the directory they describe
// lies in the file before them.
func (t *tailReader) directoryEnd() (zipEnd, error) {
	i := len(t.tail) - eocdLen
	for ; i >= 0; i-- {
		if bytes.Equal(t.tail[i:i+4], sigEOCD) && i+eocdLen+int(le16(t.tail[i+20:])) == len(t.tail) {
			break
		}
	}
	if i < 0 {
		return zipEnd{}, errNotZipArchive
	}
	rec := t.tail[i:]
	eocdAt := t.at + int64(i)
	end := zipEnd{
		entries: uint64(le16(rec[10:])),
		dirSize: uint64(le32(rec[12:])),
		dirAt:   uint64(le32(rec[16:])),
		dirEnd:  uint64(eocdAt),
	}
	if end.entries == 0xffff || end.dirSize == 0xffffffff || end.dirAt == 0xffffffff {
		if err := t.zip64End(eocdAt, &end); err != nil {
			return zipEnd{}, err
		}
	}
	if end.dirAt > end.dirEnd || end.dirSize > end.dirEnd-end.dirAt {
		return zipEnd{}, notZip("The zip archive's central directory lies outside the file.")
	}
	return end, nil
}

// zip64End replaces end by the zip64 end of central directory record when
// a locator precedes the end record at eocdAt (APPNOTE 4.3.14–15). Without
// a locator the 32-bit fields stand, as archive/zip reads them.
func (t *tailReader) zip64End(eocdAt int64, end *zipEnd) error {
	locAt := eocdAt - zip64LocatorLen
	if locAt < 0 {
		return nil
	}
	var loc [zip64LocatorLen]byte
	if err := readFull(t, loc[:], locAt); err != nil {
		return err
	}
	if !bytes.Equal(loc[:4], sigZip64Locator) {
		return nil
	}
	at := binary.LittleEndian.Uint64(loc[8:])
	if at > uint64(locAt) || uint64(locAt)-at < zip64EOCDMinLen {
		return notZip("The zip archive's zip64 end record lies outside the file.")
	}
	var rec [zip64EOCDMinLen]byte
	if err := readFull(t, rec[:], int64(at)); err != nil {
		return err
	}
	if !bytes.Equal(rec[:4], sigZip64EOCD) {
		return notZip("The zip archive's zip64 end record is damaged.")
	}
	*end = zipEnd{
		entries: binary.LittleEndian.Uint64(rec[32:]),
		dirSize: binary.LittleEndian.Uint64(rec[40:]),
		dirAt:   binary.LittleEndian.Uint64(rec[48:]),
		dirEnd:  at,
	}
	return nil
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

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
