package domain

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
)

// rawZip builds a zip archive of entries with no data, whose headers say
// what hs say (sizes included).
func rawZip(t testing.TB, hs ...zip.FileHeader) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, h := range hs {
		if _, err := w.CreateRaw(&h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manyEntries builds, once per n, a zip archive of n empty entries;
// archive/zip writes zip64 end records from 65,535 on.
var manyEntries = sync.OnceValue(func() func(int) []byte {
	var mu sync.Mutex
	built := map[int][]byte{}
	return func(n int) []byte {
		mu.Lock()
		defer mu.Unlock()
		if b, ok := built[n]; ok {
			return b
		}
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for i := range n {
			if _, err := w.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("e/%06d", i)}); err != nil {
				panic(err)
			}
		}
		if err := w.Close(); err != nil {
			panic(err)
		}
		built[n] = buf.Bytes()
		return built[n]
	}
})

// aliasing is an archive of 65,537 entries whose end record declares 1
// (65,537 mod 2^16) and has no zip64 record: archive/zip compares only 16
// bits of the count, and the old check trusted the record.
func aliasing() []byte {
	b := manyEntries()(65_537)
	end := len(b) - eocdLen
	rec := b[end-zip64LocatorLen-zip64EOCDMinLen:]
	out := bytes.Clone(b[:end-zip64LocatorLen-zip64EOCDMinLen])
	eocd := bytes.Clone(b[end:])
	binary.LittleEndian.PutUint16(eocd[8:], 1)
	binary.LittleEndian.PutUint16(eocd[10:], 1)
	binary.LittleEndian.PutUint32(eocd[12:], uint32(binary.LittleEndian.Uint64(rec[40:])))
	binary.LittleEndian.PutUint32(eocd[16:], uint32(binary.LittleEndian.Uint64(rec[48:])))
	return append(out, eocd...)
}

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
