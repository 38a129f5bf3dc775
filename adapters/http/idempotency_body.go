package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/domain"
)

// bodyDigest is a request body that hashes what is read from it, as it is
// read: the fingerprint of a streamed body costs no memory beyond a few
// bytes. A multipart body is hashed without its boundary (each client
// draws a new one for every request, and RFC 2046 forbids it inside the
// parts), so a retry that sends the same fields and file under another
// boundary has the same digest. A JSON body is also kept, up to
// MaxJSONBytes, so that it can be hashed in canonical form (members
// sorted, no insignificant space) once read whole.
type bodyDigest struct {
	io.ReadCloser
	raw      hash.Hash
	w        io.Writer // raw, or a boundaryStrip over it
	strip    *boundaryStrip
	json     []byte // the JSON body while it fits in jsonCap
	jsonCap  int    // 0: not JSON
	eof      bool
	n, want  int64 // bytes read; the declared Content-Length, or -1
	mediaTyp string
}

func newBodyDigest(c *gin.Context, maxJSON int64) *bodyDigest {
	body := c.Request.Body
	if body == nil {
		body = http.NoBody
	}
	d := &bodyDigest{ReadCloser: body, raw: sha256.New(), want: c.Request.ContentLength}
	d.w = d.raw
	mt, params, _ := mime.ParseMediaType(c.Request.Header.Get("Content-Type"))
	d.mediaTyp = mt
	switch {
	case strings.HasPrefix(mt, "multipart/") && params["boundary"] != "":
		d.strip = &boundaryStrip{w: d.raw, b: []byte(params["boundary"])}
		d.w = d.strip
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		d.jsonCap = int(maxJSON)
	}
	c.Request.Body = d
	return d
}

func (d *bodyDigest) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	d.n += int64(n)
	if n > 0 {
		d.w.Write(p[:n])
		switch {
		case d.jsonCap > 0 && len(d.json)+n <= d.jsonCap:
			d.json = append(d.json, p[:n]...)
		case d.jsonCap > 0: // too long for the canonical form: the raw digest counts
			d.jsonCap, d.json = -1, nil
		}
	}
	if errors.Is(err, io.EOF) {
		d.eof = true
	}
	return n, err
}

// drain reads what is left of the body, at most limit bytes, into the
// digest: the end of a body whose request read only what it needed (the
// epilogue of a form), or the whole body of a retry to be compared. It
// reports a body longer than limit as 413 body_too_large.
func (d *bodyDigest) drain(limit int64) error {
	if d.eof {
		return nil
	}
	n, err := io.Copy(io.Discard, io.LimitReader(readerOnly{d}, limit+1))
	switch {
	case err != nil:
		return bodyError(err)
	case n > limit:
		return errorf(domain.ErrTooLarge, "body_too_large", "The request body is larger than %s.", domain.FormatSize(limit))
	}
	return nil
}

// readerOnly hides everything of r but Read (io.Copy would use WriteTo).
type readerOnly struct{ r io.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

// complete reports whether the body was read to its end, all the bytes
// it declared (a reader that stops at the declared length, as TUS's does,
// need not read the end itself), or up to its end when it declared none:
// only then is the digest the whole body's.
func (d *bodyDigest) complete() bool {
	if d.want >= 0 {
		return d.n == d.want
	}
	return d.eof
}

// sum is the body's digest, with the form it was taken in.
func (d *bodyDigest) sum() (form, digest string) {
	if d.jsonCap > 0 {
		if canon, ok := canonicalJSON(d.json); ok {
			s := sha256.Sum256(canon)
			return "json", hex.EncodeToString(s[:])
		}
	}
	form = "raw"
	if d.strip != nil {
		d.strip.flush()
		form = "multipart"
	}
	return form, hex.EncodeToString(d.raw.Sum(nil))
}

// canonicalJSON re-encodes one JSON value with object members sorted and
// numbers as written; false when raw is not exactly one JSON value.
func canonicalJSON(raw []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.Decode(&struct{}{}) != io.EOF {
		return nil, false
	}
	out, err := json.Marshal(v)
	return out, err == nil
}

// boundaryStrip writes to w what is written to it with every occurrence
// of b removed, holding back at most len(b)-1 bytes between writes.
type boundaryStrip struct {
	w   io.Writer
	b   []byte
	buf []byte
}

func (s *boundaryStrip) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	for {
		i := bytes.Index(s.buf, s.b)
		if i < 0 {
			break
		}
		s.w.Write(s.buf[:i])
		s.buf = s.buf[:copy(s.buf, s.buf[i+len(s.b):])]
	}
	if keep := len(s.b) - 1; len(s.buf) > keep {
		s.w.Write(s.buf[:len(s.buf)-keep])
		s.buf = s.buf[:copy(s.buf, s.buf[len(s.buf)-keep:])]
	}
	return len(p), nil
}

func (s *boundaryStrip) flush() {
	s.w.Write(s.buf)
	s.buf = s.buf[:0]
}

// maxReplayBody bounds an answer kept for replay; a longer one (none of
// the covered routes gives one) is not kept and the key is released.
const maxReplayBody = 64 << 10

// captureWriter keeps a copy of the answer's body, up to maxReplayBody.
type captureWriter struct {
	gin.ResponseWriter
	body     []byte
	overflow bool
}

func (w *captureWriter) keep(p []byte) {
	if w.overflow || len(w.body)+len(p) > maxReplayBody {
		w.overflow, w.body = true, nil
		return
	}
	w.body = append(w.body, p...)
}

func (w *captureWriter) Write(p []byte) (int, error) {
	w.keep(p)
	return w.ResponseWriter.Write(p)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.keep([]byte(s))
	return w.ResponseWriter.WriteString(s)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
