package localfs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"storagegw/application"
)

// takeFile is an io.ReaderFrom that records what it was handed.
type takeFile struct {
	src io.Reader
	got bytes.Buffer
}

func (w *takeFile) Write(p []byte) (int, error) { return w.got.Write(p) }

func (w *takeFile) ReadFrom(r io.Reader) (int64, error) {
	w.src = r
	return w.got.ReadFrom(r)
}

// TestOpenHandsTheFileToReadFrom: an opened range, copied to a writer with
// ReadFrom (an HTTP response over TCP), reaches it as a LimitedReader of
// the *os.File, which is what sendfile(2) needs, and holds the range's
// bytes only.
func TestOpenHandsTheFileToReadFrom(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore(t)
	data := strings.Repeat("0123456789", 1000)
	if _, err := s.Put(t.Context(), "org-1/a/b/c/f.bin", strings.NewReader(data), ""); err != nil {
		t.Fatal(err)
	}
	for name, rng := range map[string]application.Range{
		"whole": application.Whole, "middle": {Offset: 1234, Length: 5000}, "tail": {Offset: 9990},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc, _, err := s.Open(t.Context(), "org-1/a/b/c/f.bin", rng)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			w := &takeFile{}
			if _, err := io.Copy(w, rc); err != nil {
				t.Fatal(err)
			}
			lr, ok := w.src.(*io.LimitedReader)
			if _, isFile := lr.R.(*os.File); !ok || !isFile {
				t.Errorf("ReadFrom got %T, want an *io.LimitedReader of an *os.File", w.src)
			}
			end := int64(len(data))
			if rng.Length > 0 {
				end = rng.Offset + rng.Length
			}
			if want := data[rng.Offset:end]; w.got.String() != want {
				t.Errorf("got %d bytes, want the %d of the range", w.got.Len(), len(want))
			}
		})
	}
}

// slowParts returns at most 3 bytes a Read, as a multipart form's part
// returns a few KiB at a time.
type slowParts struct{ r io.Reader }

func (s slowParts) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 3)]) }

// countWrites counts the writes a file gets.
type countWrites struct {
	bytes.Buffer
	writes int
}

func (c *countWrites) Write(p []byte) (int, error) { c.writes++; return c.Buffer.Write(p) }

// TestCopyChunksFillsItsBuffer: however little each Read returns, the file
// gets writes of copyBuffer bytes (the last shorter).
func TestCopyChunksFillsItsBuffer(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("x"), 2*copyBuffer+17)
	var w countWrites
	n, readErr, err := copyChunks(t.Context(), &w, slowParts{bytes.NewReader(data)})
	if err != nil || readErr != nil || n != int64(len(data)) || !bytes.Equal(w.Bytes(), data) {
		t.Fatalf("copyChunks: got %d bytes, errors %v, %v; want %d bytes copied whole", n, readErr, err, len(data))
	}
	if w.writes != 3 {
		t.Errorf("got %d writes, want 3 (two full buffers and the rest)", w.writes)
	}
}

// cutReader yields its data and then io.ErrUnexpectedEOF, as a request
// body cut before its Content-Length does.
type cutReader struct{ r io.Reader }

func (c cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// TestPutRefusesACutBody: a reader that fails with io.ErrUnexpectedEOF
// fails the Put and stores nothing (it was once taken for the data's end).
func TestPutRefusesACutBody(t *testing.T) {
	t.Parallel()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := "org-1/workspace/doc/d1/a.txt"
	if _, err := s.Put(t.Context(), key, cutReader{bytes.NewReader(bytes.Repeat([]byte("x"), copyBuffer+5))}, ""); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Put of a cut body: got %v, want io.ErrUnexpectedEOF", err)
	}
	if _, _, err := s.Open(t.Context(), key, application.Whole); err == nil {
		t.Fatal("blob after a cut Put: got one, want none")
	}
}
