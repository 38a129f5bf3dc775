package domain

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// toZip64 rewrites a comment-less archive's end as a zip64 end record, its
// locator and an end record whose fields all say "see zip64".
func toZip64(t testing.TB, b []byte) []byte {
	t.Helper()
	end := len(b) - eocdLen
	e := b[end:]
	rec := make([]byte, zip64EOCDMinLen)
	copy(rec, sigZip64EOCD)
	binary.LittleEndian.PutUint64(rec[4:], zip64EOCDMinLen-12)
	binary.LittleEndian.PutUint16(rec[12:], 45)
	binary.LittleEndian.PutUint64(rec[24:], uint64(binary.LittleEndian.Uint16(e[8:])))
	binary.LittleEndian.PutUint64(rec[32:], uint64(binary.LittleEndian.Uint16(e[10:])))
	binary.LittleEndian.PutUint64(rec[40:], uint64(binary.LittleEndian.Uint32(e[12:])))
	binary.LittleEndian.PutUint64(rec[48:], uint64(binary.LittleEndian.Uint32(e[16:])))
	loc := make([]byte, zip64LocatorLen)
	copy(loc, sigZip64Locator)
	binary.LittleEndian.PutUint64(loc[8:], uint64(end))
	binary.LittleEndian.PutUint32(loc[16:], 1)
	eocd := bytes.Clone(e)
	binary.LittleEndian.PutUint16(eocd[8:], 0xffff)
	binary.LittleEndian.PutUint16(eocd[10:], 0xffff)
	binary.LittleEndian.PutUint32(eocd[12:], 0xffffffff)
	binary.LittleEndian.PutUint32(eocd[16:], 0xffffffff)
	out := append(bytes.Clone(b[:end]), rec...)
	return append(append(out, loc...), eocd...)
}

// patchEnd sets the entry count, directory size and offset of a
// comment-less archive's end record; -1 keeps a field.
func patchEnd(b []byte, entries, size, offset int) []byte {
	b = bytes.Clone(b)
	e := b[len(b)-eocdLen:]
	if entries >= 0 {
		binary.LittleEndian.PutUint16(e[8:], uint16(entries))
		binary.LittleEndian.PutUint16(e[10:], uint16(entries))
	}
	if size >= 0 {
		binary.LittleEndian.PutUint32(e[12:], uint32(size))
	}
	if offset >= 0 {
		binary.LittleEndian.PutUint32(e[16:], uint32(offset))
	}
	return b
}

func dirSize(b []byte) int { return int(binary.LittleEndian.Uint32(b[len(b)-eocdLen+12:])) }

// patchHeader writes bytes at offset off of the i-th central directory
// header of a comment-less archive whose headers have no extra fields or
// comments.
func patchHeader(b []byte, i, off int, bytes ...byte) []byte {
	at := int(binary.LittleEndian.Uint32(b[len(b)-eocdLen+16:]))
	if b[len(b)-eocdLen-zip64LocatorLen] == 'P' && b[len(b)-eocdLen-zip64LocatorLen+2] == 6 { // zip64
		at = int(binary.LittleEndian.Uint64(b[len(b)-eocdLen-zip64LocatorLen-zip64EOCDMinLen+48:]))
	}
	for ; i > 0; i-- {
		at += centralHeaderLen + int(binary.LittleEndian.Uint16(b[at+28:])) + int(binary.LittleEndian.Uint16(b[at+30:])) + int(binary.LittleEndian.Uint16(b[at+32:]))
	}
	return patchAt(b, at+off, bytes...)
}

// patchAt writes p at offset off of a copy of b.
func patchAt(b []byte, off int, p ...byte) []byte {
	b = bytes.Clone(b)
	copy(b[off:], p)
	return b
}
