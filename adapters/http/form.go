package httpapi

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/domain"
)

// maxFieldBytes bounds the value of one text field of an upload form.
const maxFieldBytes = 1024

// fileField is the name of the form part holding the file.
const fileField = "file"

// maxPartHeaderBytes bounds the header of one form part (its
// Content-Disposition and any other header lines). mime/multipart alone
// would read and hold 10 MiB of it.
const maxPartHeaderBytes = 8 << 10

// maxBoundaryBytes is RFC 2046's longest boundary.
const maxBoundaryBytes = 70

// partHeaderBudget is how many body bytes reading one part's header may
// take: the header, the boundary line before it, and what the multipart
// reader's 4 KiB buffer reads ahead. Any header of maxPartHeaderBytes or
// less fits; a longer one is refused once the budget is spent, so no
// more than this is read or held for it.
const partHeaderBudget = maxPartHeaderBytes + 4<<10 + 2*maxBoundaryBytes + 16

// uploadForm is the text fields an upload endpoint takes.
type uploadForm struct {
	required, optional []string
}

func (f uploadForm) takes(name string) bool {
	return slices.Contains(f.required, name) || slices.Contains(f.optional, name)
}

// formUpload is an upload form read up to its file part. The text fields
// must come first (so the request can be checked and refused before the
// file is read); exactly one file part follows, and nothing after it
// but the form's epilogue, which is read (and ignored) before the file's
// end is reported, so that the request's body was read whole before the
// use case commits anything (an Idempotency-Key's fingerprint, stored
// with the change, covers all of it).
// What is read before the file is bounded: each accepted field at most
// once (else unknown_field, duplicate_field), each value maxFieldBytes,
// each part header partHeaderBudget.
type formUpload struct {
	fields   map[string]string
	filename string
	body     io.Reader // the file part, then the check that the form ends; read errors are domain errors
	declared int64     // a lower bound of the file's size from Content-Length, or -1
}

// readUpload streams the multipart body up to its file part. The body is
// capped at the largest upload limit plus MultipartOverhead, whatever the
// endpoint, as a backstop to the per-type limit the use case enforces.
func (s *Server) readUpload(c *gin.Context, form uploadForm) (*formUpload, error) {
	boundary, err := formBoundary(c.Request)
	if err != nil {
		return nil, err
	}
	body := &countingBody{ReadCloser: http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)}
	ahead := &readAhead{r: body}
	hdr := &headerCap{r: ahead, left: -1}
	mr := multipart.NewReader(hdr, boundary)
	fields := map[string]string{}
	for {
		part, err := hdr.nextPart(mr)
		if errors.Is(err, io.EOF) {
			return nil, errorf(domain.ErrInvalid, "file_missing", "The form has no %q part.", fileField)
		}
		if err != nil {
			return nil, bodyError(err)
		}
		name := part.FormName()
		if name == fileField {
			return s.filePart(c.Request, body, ahead, hdr, mr, part, form, fields)
		}
		if !form.takes(name) {
			return nil, errorf(domain.ErrInvalid, "unknown_field", "The form field %s is not accepted here.", quoteName(name))
		}
		if _, dup := fields[name]; dup {
			return nil, errorf(domain.ErrInvalid, "duplicate_field", "The form field %s is sent twice.", quoteName(name))
		}
		v, err := io.ReadAll(io.LimitReader(partReader{part}, maxFieldBytes+1))
		if err != nil {
			return nil, err
		}
		if len(v) > maxFieldBytes {
			return nil, errorf(domain.ErrInvalid, "field_too_long", "The form field %s is longer than %d bytes.", name, maxFieldBytes)
		}
		fields[name] = string(v)
	}
}

func (s *Server) filePart(req *http.Request, body *countingBody, ahead *readAhead, hdr *headerCap, mr *multipart.Reader, part *multipart.Part,
	form uploadForm, fields map[string]string) (*formUpload, error) {
	if err := missingFields(form, fields); err != nil {
		return nil, err
	}
	if part.FileName() == "" {
		return nil, errorf(domain.ErrInvalid, "filename_missing", "The file part needs a filename.")
	}
	return &formUpload{fields: fields, filename: part.FileName(),
		body:     &filePart{r: partReader{part}, hdr: hdr, mr: mr, ahead: ahead},
		declared: declaredSize(req, body.n)}, nil
}

// missingFields is 400 missing_field, naming every required field that
// had not arrived when the file part started. The form is read as a
// stream, so a field sent after the file cannot be told from one not
// sent at all: the message says so.
func missingFields(form uploadForm, fields map[string]string) error {
	var missing []string
	for _, name := range form.required {
		if _, ok := fields[name]; !ok {
			missing = append(missing, strconv.Quote(name))
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return errorf(domain.ErrInvalid, "missing_field",
			"The form field %s is missing; send it before the file part.", missing[0])
	}
	return errorf(domain.ErrInvalid, "missing_field",
		"The form fields %s are missing; send them before the file part.", strings.Join(missing, ", "))
}

// declaredSize is a lower bound of the file's size when Content-Length is
// known: the body's length minus what was read up to the file part (which
// includes any bytes of the file already buffered) minus the closing
// boundary, or -1.
func declaredSize(req *http.Request, read int64) int64 {
	if req.ContentLength <= 0 {
		return -1
	}
	_, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if n := req.ContentLength - read - int64(len(params["boundary"])) - 64; n > 0 {
		return n
	}
	return -1
}

// filePart reads the file part of a form and, where it ends, checks that
// the form ends there too: the end of the file is io.EOF only when nothing
// follows it, else the error saying what did (400 too_many_files or
// field_after_file). So whoever reads the file to its end, a use case
// streaming it to the store, learns of a malformed form before it
// commits anything. The outcome of the check is kept for later reads.
type filePart struct {
	r     io.Reader
	hdr   *headerCap
	mr    *multipart.Reader
	ahead *readAhead
	n     int64 // bytes of the file read so far
	end   error // nil until the file part ended
}

func (f *filePart) Read(p []byte) (int, error) {
	if f.end != nil {
		return 0, f.end
	}
	n, err := f.r.Read(p)
	if f.n += int64(n); f.n > readAheadAfter {
		f.ahead.start()
	}
	if errors.Is(err, io.EOF) {
		f.end = endOfForm(f.hdr, f.mr)
		if f.end == io.EOF {
			f.end = drainEpilogue(f.hdr)
		}
		err = f.end
	}
	return n, err
}

// drainEpilogue reads what follows a form's closing boundary (its
// epilogue, which RFC 2046 says to ignore) to the body's end: io.EOF, or
// the error of a body that could not be read. It is bounded as the body
// is, by the form's size backstop (413 request_too_large) and, on the
// upload routes, by the body-rate floor, and it runs before the use case
// commits, never in its transaction.
func drainEpilogue(r io.Reader) error {
	if _, err := io.Copy(io.Discard, readerOnly{r}); err != nil {
		return bodyError(err)
	}
	return io.EOF
}

// endOfForm is io.EOF when the form ends after its file part, else the
// error saying what follows it.
func endOfForm(hdr *headerCap, mr *multipart.Reader) error {
	part, err := hdr.nextPart(mr)
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case err != nil:
		return bodyError(err)
	case part.FormName() == fileField:
		return errorf(domain.ErrInvalid, "too_many_files", "Send exactly one %q part.", fileField)
	}
	return errorf(domain.ErrInvalid, "field_after_file",
		"The form field %s came after the file part; send every form field before the file part.", quoteName(part.FormName()))
}

// readAheadAfter is how much of a form's file is read, in the multipart
// reader's own reads of 4 KiB at most, before the body is read ahead in
// reads of readAheadSize: a large file then takes a few large reads of the
// socket instead of a quarter of a million per GiB, while what a form
// sends before its file, and a small file, is read no further than the
// multipart reader asks (so a refused header or length costs only what
// it refused).
const (
	readAheadAfter = 256 << 10
	readAheadSize  = 64 << 10
)

// readAhead reads r as it is asked until start, then through a buffer of
// readAheadSize.
type readAhead struct {
	r  io.Reader
	br *bufio.Reader
}

func (a *readAhead) start() {
	if a.br == nil {
		a.br = bufio.NewReaderSize(a.r, readAheadSize)
	}
}

func (a *readAhead) Read(p []byte) (int, error) {
	if a.br != nil {
		return a.br.Read(p)
	}
	return a.r.Read(p)
}

// formBoundary is the boundary of a multipart/form-data (or
// multipart/mixed) body: 400 not_multipart for any other body or a
// boundary longer than RFC 2046 allows.
func formBoundary(req *http.Request) (string, error) {
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	boundary := params["boundary"]
	if err != nil || mt != "multipart/form-data" && mt != "multipart/mixed" || boundary == "" {
		return "", errorf(domain.ErrInvalid, "not_multipart", "The body must be multipart/form-data.")
	}
	if len(boundary) > maxBoundaryBytes {
		return "", errorf(domain.ErrInvalid, "not_multipart", "The multipart boundary is longer than %d characters.", maxBoundaryBytes)
	}
	return boundary, nil
}

// headerCap is the body under an upload form's multipart reader. While
// the reader reads a part's header (nextPart) at most partHeaderBudget
// bytes may come from the body, then a read fails with 413
// form_header_too_large; while it reads a part's content nothing is
// capped here (a field's value and the file have their own bounds).
type headerCap struct {
	r    io.Reader
	left int64 // what the header being read may still take; -1 when none is
}

func (h *headerCap) Read(p []byte) (int, error) {
	if h.left < 0 {
		return h.r.Read(p)
	}
	if h.left == 0 {
		return 0, errorf(domain.ErrTooLarge, "form_header_too_large",
			"A form part's header is longer than %s.", domain.FormatSize(maxPartHeaderBytes))
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= int64(n)
	return n, err
}

// nextPart reads the next part's header from mr within the budget.
func (h *headerCap) nextPart(mr *multipart.Reader) (*multipart.Part, error) {
	h.left = partHeaderBudget
	defer func() { h.left = -1 }()
	return mr.NextPart()
}

// partReader reads a form part, turning read failures into domain errors.
type partReader struct{ r io.Reader }

func (p partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		err = bodyError(err)
	}
	return n, err
}

// bodyError translates a failure to read the request body.
func bodyError(err error) error {
	var (
		de     *domain.Error
		tooBig *http.MaxBytesError
	)
	switch {
	case errors.As(err, &de):
		return err
	case errors.As(err, &tooBig):
		return domain.Wrap(domain.ErrTooLarge, "request_too_large",
			"The request body is larger than "+domain.FormatSize(tooBig.Limit)+", the most any upload form may hold.", err)
	}
	return domain.Wrap(domain.ErrInvalid, "malformed_body", "The multipart body could not be read.", err)
}

// quoteName quotes a client-sent name for a message, shortened.
func quoteName(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strconv.Quote(strings.ToValidUTF8(s, "?"))
}
