package domain

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

var (
	sigCentralHeader = []byte("PK\x01\x02")
	sigLocalHeader   = []byte("PK\x03\x04")
)

const (
	centralHeaderLen = 46 // APPNOTE 4.3.12, before the name, extra and comment
	localHeaderLen   = 30 // APPNOTE 4.3.7, before the name and extra
	zip64ExtraID     = 0x0001
	flagUTF8         = 1 << 11
	max32            = 0xffffffff
	// dirBufferLen is the one buffer the central directory is read
	// through: at least any name or extra field (65,535 bytes), and the
	// size of each read of a large directory.
	dirBufferLen = 1 << 20
)

// walkDirectory reads the central directory end describes, header by
// header, through one buffer, and checks each entry (see Check).
func (z ZipArchive) walkDirectory(r io.ReaderAt, end zipEnd) error {
	d := dirReader{
		br:   bufio.NewReaderSize(io.NewSectionReader(r, int64(end.dirAt), int64(end.dirSize)), int(min(end.dirSize, dirBufferLen))),
		left: end.dirSize,
	}
	var entries, total uint64
	var firstAt uint64 // local header offset of the first entry
	for d.left > 0 {
		if entries++; entries > end.entries {
			break // more headers than declared; bounded by MaxEntries+1
		}
		h, err := d.next(centralHeaderLen)
		if err != nil {
			return err
		}
		if !bytes.Equal(h[:4], sigCentralHeader) {
			return errDamagedDirectory
		}
		flags := le16(h[8:])
		csize, usize, at := uint64(le32(h[20:])), uint64(le32(h[24:])), uint64(le32(h[42:]))
		nameLen, extraLen, commentLen := int(le16(h[28:])), int(le16(h[30:])), int(le16(h[32:]))
		name, err := d.next(nameLen)
		if err != nil {
			return err
		}
		if err := checkEntryName(name, flags&flagUTF8 != 0); err != nil {
			return err
		}
		extra, err := d.next(extraLen)
		if err != nil {
			return err
		}
		if usize, csize, at, err = zip64Sizes(extra, usize, csize, at); err != nil {
			return err
		}
		if err := d.skip(commentLen); err != nil {
			return err
		}
		if at > end.dirAt || end.dirAt-at < localHeaderLen || csize > end.dirAt-at-localHeaderLen {
			return notZip("The zip archive has an entry whose data lies outside the file.")
		}
		if usize > z.MaxUncompressed-total {
			return notZip("The zip archive would uncompress to more than %d bytes.", z.MaxUncompressed)
		}
		total += usize
		if entries == 1 {
			firstAt = at
		}
	}
	if entries != end.entries {
		return notZip("The zip archive's central directory does not hold the entries its end record declares.")
	}
	return checkEdges(r, end, entries, firstAt)
}

// checkEdges checks what lies around the directory walked: no further
// central header right after it (archive/zip reads headers until one's
// signature is wrong, whatever the directory's size, so such a header would
// be an entry it sees and the walk does not), and a local header where the
// first entry says.
func checkEdges(r io.ReaderAt, end zipEnd, entries, firstAt uint64) error {
	var sig [4]byte
	if after := end.dirAt + end.dirSize; end.dirEnd-after >= uint64(len(sig)) {
		if err := readFull(r, sig[:], int64(after)); err != nil {
			return err
		}
		if bytes.Equal(sig[:], sigCentralHeader) {
			return notZip("The zip archive has central directory headers past the directory's declared size.")
		}
	}
	if entries > 0 {
		if err := readFull(r, sig[:], int64(firstAt)); err != nil {
			return err
		}
		if !bytes.Equal(sig[:], sigLocalHeader) {
			return notZip("The zip archive's first entry is damaged.")
		}
	}
	return nil
}

var errDamagedDirectory = notZip("The zip archive's central directory is damaged.")

// dirReader reads a central directory through one bufio.Reader, never
// past the directory's declared size.
type dirReader struct {
	br   *bufio.Reader
	left uint64 // bytes of the directory not yet read
}

// next returns the directory's next n bytes (n is at most 65,535), valid
// until the following call. It allocates nothing: the bytes are the
// buffer's.
func (d *dirReader) next(n int) ([]byte, error) {
	if uint64(n) > d.left {
		return nil, errDamagedDirectory
	}
	b, err := d.br.Peek(n)
	if err != nil {
		return nil, dirReadError(err)
	}
	d.br.Discard(n)
	d.left -= uint64(n)
	return b, nil
}

func (d *dirReader) skip(n int) error {
	if uint64(n) > d.left {
		return errDamagedDirectory
	}
	if _, err := d.br.Discard(n); err != nil {
		return dirReadError(err)
	}
	d.left -= uint64(n)
	return nil
}

// dirReadError is a failure to read the directory: the store's own error,
// or a malformed archive when the file ended early.
func dirReadError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errNotZipArchive
	}
	return err
}

// zip64Sizes replaces the sizes and local header offset a central header
// holds as 0xFFFFFFFF by those of its zip64 extended information extra
// field (APPNOTE 4.5.3), which lists only those, in this order. An
// uncompressed size left at 0xFFFFFFFF stands, as archive/zip reads it; a
// compressed size or offset left so is a damaged header.
func zip64Sizes(extra []byte, usize, csize, at uint64) (uint64, uint64, uint64, error) {
	needU, needC, needAt := usize == max32, csize == max32, at == max32
	for len(extra) >= 4 {
		tag, n := le16(extra), int(le16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			break
		}
		field := extra[:n]
		extra = extra[n:]
		if tag != zip64ExtraID {
			continue
		}
		if needU {
			if usize, field, needU = zip64Field(field); needU {
				return 0, 0, 0, errDamagedDirectory
			}
		}
		if needC {
			if csize, field, needC = zip64Field(field); needC {
				return 0, 0, 0, errDamagedDirectory
			}
		}
		if needAt {
			if at, _, needAt = zip64Field(field); needAt {
				return 0, 0, 0, errDamagedDirectory
			}
		}
	}
	if needC || needAt {
		return 0, 0, 0, errDamagedDirectory
	}
	return usize, csize, at, nil
}

// zip64Field takes the next 8-byte value of a zip64 extra field; short is
// true when the field has no more.
func zip64Field(field []byte) (v uint64, rest []byte, short bool) {
	if len(field) < 8 {
		return 0, field, true
	}
	return binary.LittleEndian.Uint64(field), field[8:], false
}
