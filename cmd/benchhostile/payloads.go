package main

import (
	"fmt"
	"strings"
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
