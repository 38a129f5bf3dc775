package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

const (
	boundary = "b3nchh0stile"
	formType = "multipart/form-data; boundary=" + boundary
)

// form is the start of a multipart form: fields in order, then the header
// of a file part (its content and the closing boundary are the caller's).
func form(fields [][2]string, name, filename string) []byte {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, f[0], f[1])
	}
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q; filename=%q\r\nContent-Type: text/plain\r\n\r\n",
		boundary, name, filename)
	return []byte(b.String())
}

// uploadFields are the fields of upload i: an email attachment (any type).
func uploadFields(i int) [][2]string {
	return [][2]string{{"system", "communications"}, {"object_type", "email-attachment"}, {"object_id", fmt.Sprintf("m-%d", i)}}
}

// Lengths of the zip end records (APPNOTE.TXT 4.3.14–16).
const (
	eocdLen         = 22
	zip64LocatorLen = 20
	zip64EOCDMinLen = 56
)

// zipOfMany is an archive of n empty entries (archive/zip writes zip64
// end records from 65,535 on), built once.
func zipOfMany(n int) func() []byte {
	return sync.OnceValue(func() []byte {
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
		return buf.Bytes()
	})
}

// aliasingZip is 65,537 entries whose end record declares 1 (65,537 mod
// 2^16) and has no zip64 record, the archive domain's tests call aliasing.
var aliasingZip = sync.OnceValue(func() []byte {
	b := zipOfMany(65_537)()
	end := len(b) - eocdLen
	rec := b[end-zip64LocatorLen-zip64EOCDMinLen:]
	out := bytes.Clone(b[:end-zip64LocatorLen-zip64EOCDMinLen])
	eocd := bytes.Clone(b[end:])
	binary.LittleEndian.PutUint16(eocd[8:], 1)
	binary.LittleEndian.PutUint16(eocd[10:], 1)
	binary.LittleEndian.PutUint32(eocd[12:], uint32(binary.LittleEndian.Uint64(rec[40:])))
	binary.LittleEndian.PutUint32(eocd[16:], uint32(binary.LittleEndian.Uint64(rec[48:])))
	return append(out, eocd...)
})
