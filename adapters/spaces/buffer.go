package spaces

import (
	"bytes"
	"errors"
	"sync"
)

// buffer is a part buffer of Put. Where the system allows, it is mapped
// memory of its own (buffer_unix.go), outside the Go heap: the garbage
// collector lets the heap grow to twice what is live before it collects,
// so two part buffers per upload on the heap would cost up to twice their
// size in resident memory, and released ones would linger until a
// collection. Mapped, a buffer costs exactly the pages it filled, and
// free returns them at once.
type buffer struct {
	b      []byte
	mapped bool
}

// free releases b; nil is ignored. b must not be used after.
func (b *buffer) free() {
	if b != nil && b.mapped {
		unmap(b.b)
		b.b, b.mapped = nil, false
	}
}

// newBuffer is a buffer of n bytes, mapped when it can be.
func newBuffer(n int64) *buffer {
	if m, ok := mapAnon(n); ok {
		return &buffer{b: m, mapped: true}
	}
	return &buffer{b: make([]byte, n)}
}

// body is the request body of (part of) a buffer. The transport may still
// read a body after the request returned (an early answer, a cut
// connection), so body hands over no slice of the buffer (no WriteTo) and
// close waits for a Read under way: after it, the buffer can be reused or
// unmapped.
type body struct {
	mu     sync.Mutex
	r      bytes.Reader
	closed bool
}

func newBody(b []byte) *body {
	bd := &body{}
	bd.r.Reset(b)
	return bd
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBodyClosed
	}
	return b.r.Read(p)
}

func (b *body) Seek(off int64, whence int) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBodyClosed
	}
	return b.r.Seek(off, whence)
}

func (b *body) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
}

var errBodyClosed = errors.New("spaces: request body read after its request ended")
