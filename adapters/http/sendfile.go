package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// fileWriter lets a served file reach the connection the way
// http.ServeContent's does: its ReadFrom passes the file (a localfs body's
// WriteTo hands over an *io.LimitedReader of an *os.File) to the
// net/http response's ReadFrom, which sends it with sendfile(2) on TCP.
// gin's writer has no ReadFrom, so io.Copy would otherwise push every byte
// through a 32 KiB buffer. With a rate floor the file goes in steps
// (floorStep), each with the write deadline of the floor's window.
// Size counts what ReadFrom sent, for the access log and metrics.
type fileWriter struct {
	gin.ResponseWriter
	sent  int64
	floor *floor // nil: no floor
	rc    *http.ResponseController
	slow  bool
}

func (w *fileWriter) Size() int { return max(w.ResponseWriter.Size(), 0) + int(w.sent) }

// Write is for bodies that are not files (a store's stream, a WriterTo
// handing over all it holds at once): held to the floor, in steps too.
func (w *fileWriter) Write(p []byte) (int, error) {
	if w.floor == nil {
		return w.ResponseWriter.Write(p)
	}
	written := 0
	for written < len(p) {
		deadline, ok := w.floor.next()
		if !ok {
			w.slow = true
			return written, fmt.Errorf("httpapi: the client took the file slower than %s", w.floor.rateText())
		}
		_ = w.rc.SetWriteDeadline(deadline)
		n, err := w.ResponseWriter.Write(p[written:min(len(p), written+64<<10)])
		written += n
		w.floor.got += int64(n)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func (w *fileWriter) ReadFrom(src io.Reader) (int64, error) {
	w.ResponseWriter.WriteHeaderNow()
	rf := readerFrom(w.ResponseWriter)
	if rf == nil {
		return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
	}
	if w.floor == nil {
		n, err := rf.ReadFrom(src)
		w.sent += n
		return n, err
	}
	var total int64
	rate := float64(w.floor.rate) // bytes a second the client has been taking
	for {
		deadline, ok := w.floor.next()
		if !ok {
			w.slow = true
			return total, fmt.Errorf("httpapi: the client took the file slower than %s", w.floor.rateText())
		}
		_ = w.rc.SetWriteDeadline(deadline)
		// A step the client can take by the deadline at half its rate so
		// far: small for a client near the floor, up to sendfile's own
		// 4 MiB for a fast one.
		step := int64(min(max(rate*time.Until(deadline).Seconds()/2, 64<<10), 4<<20))
		start := time.Now()
		n, err := readStep(rf, src, step)
		if took := time.Since(start).Seconds(); n > 0 && took > 0 {
			rate = max(float64(n)/took, float64(w.floor.rate))
		}
		w.sent, total, w.floor.got = w.sent+n, total+n, w.floor.got+n
		if err != nil || n < step {
			return total, err
		}
	}
}

// readerFrom finds the first writer under w, unwrapping, that has ReadFrom:
// net/http's response.
func readerFrom(w http.ResponseWriter) io.ReaderFrom {
	for w != nil {
		if rf, ok := w.(io.ReaderFrom); ok {
			return rf
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// readStep has rf read at most n bytes of src. The step of a
// LimitedReader is a LimitedReader of what it wraps, charged back, so that
// an *os.File under it still reaches sendfile (which looks through one
// LimitedReader only).
func readStep(rf io.ReaderFrom, src io.Reader, n int64) (int64, error) {
	lr, ok := src.(*io.LimitedReader)
	if !ok {
		return rf.ReadFrom(io.LimitReader(src, n))
	}
	if lr.N <= 0 {
		return 0, nil
	}
	step := &io.LimitedReader{R: lr.R, N: min(n, lr.N)}
	got, err := rf.ReadFrom(step)
	lr.N -= got
	return got, err
}
