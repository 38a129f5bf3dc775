// Package ziptest builds zip archives for the tests and benchmarks of the
// app-builder archive rule (domain.ZipArchive): ordinary ones, ones whose
// headers say what a test needs, large ones, and the count-aliasing attack.
// It panics on a write error: every archive is built in memory.
package ziptest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

// Of is an archive holding the named entries, each file with a little
// content (a name ending in "/" is a directory, which has none).
func Of(names ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		must(err)
		if !strings.HasSuffix(n, "/") {
			_, err = f.Write([]byte("content of " + n))
			must(err)
		}
	}
	must(w.Close())
	return buf.Bytes()
}

// Raw is an archive of entries with no data whose headers say what hs say
// (names and sizes included).
func Raw(hs ...zip.FileHeader) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, h := range hs {
		_, err := w.CreateRaw(&h)
		must(err)
	}
	must(w.Close())
	return buf.Bytes()
}

var (
	manyMu sync.Mutex
	many   = map[int][]byte{}
)

// Many is an archive of n empty entries, built once per n; archive/zip
// writes zip64 end records from 65,535 entries on. Callers must not change
// it.
func Many(n int) []byte {
	manyMu.Lock()
	defer manyMu.Unlock()
	if b, ok := many[n]; ok {
		return b
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range n {
		_, err := w.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("e/%06d", i)})
		must(err)
	}
	must(w.Close())
	many[n] = buf.Bytes()
	return many[n]
}

// The sizes of the end records (APPNOTE 4.3.14-16) Aliasing rewrites.
const (
	eocdLen         = 22
	zip64LocatorLen = 20
	zip64EOCDLen    = 56
)

// Aliasing is an archive of 65,537 empty entries whose end record declares
// 1 (65,537 mod 2^16) and that has no zip64 record: archive/zip compares
// only 16 bits of the count, and a check that trusts the end record takes
// it for one entry. A new copy each call.
func Aliasing() []byte {
	b := Many(65_537)
	end := len(b) - eocdLen
	rec := b[end-zip64LocatorLen-zip64EOCDLen:] // the zip64 record archive/zip wrote: dropped
	out := bytes.Clone(b[:end-zip64LocatorLen-zip64EOCDLen])
	eocd := bytes.Clone(b[end:])
	binary.LittleEndian.PutUint16(eocd[8:], 1)
	binary.LittleEndian.PutUint16(eocd[10:], 1)
	binary.LittleEndian.PutUint32(eocd[12:], uint32(binary.LittleEndian.Uint64(rec[40:])))
	binary.LittleEndian.PutUint32(eocd[16:], uint32(binary.LittleEndian.Uint64(rec[48:])))
	return append(out, eocd...)
}

func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("ziptest: %v", err))
	}
}
