package application

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"

	"github.com/gabriel-vasile/mimetype"

	"storagegw/domain"
)

// sniffBytes is how much of the head of a file content sniffing reads.
const sniffBytes = 3072

// sniff peeks at the head of r without consuming it and returns the
// detected content type together with the reader to stream from.
func sniff(r io.Reader) (*mimetype.MIME, *bufio.Reader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	if len(head) == 0 {
		return nil, nil, domain.Errorf(domain.ErrInvalid, "empty_file", "The file is empty.")
	}
	return mimetype.Detect(head), br, nil
}

// allowedType reports whether rule allows the detected type or one of the
// types it specialises (a CSV is also text/plain), ignoring the catch-all
// application/octet-stream root. Active content (domain.IsActiveContent:
// HTML is also text/plain, XHTML also text/xml) must be allowed by its own
// type. It returns the type to record.
func allowedType(rule domain.ContentRule, m *mimetype.MIME) (string, error) {
	detected := m.String()
	if rule.Allows(detected) {
		return detected, nil
	}
	if domain.IsActiveContent(detected) {
		return "", rule.CheckType(detected)
	}
	for p := m.Parent(); p != nil && p.Parent() != nil; p = p.Parent() {
		if rule.Allows(p.String()) {
			return detected, nil
		}
	}
	return "", rule.CheckType(detected)
}

// meter counts and hashes what passes through it, and fails with
// domain.ErrTooLarge as soon as more than max bytes were read (max <= 0: no
// bound), so an oversized body is refused while streaming.
type meter struct {
	r   io.Reader
	max int64
	n   int64
	h   hash.Hash
}

func newMeter(r io.Reader, max int64) *meter {
	return &meter{r: r, max: max, h: sha256.New()}
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.max > 0 && m.n > m.max {
		return 0, domain.Errorf(domain.ErrTooLarge, "file_too_large",
			"The file is larger than the %d bytes allowed here.", m.max)
	}
	m.h.Write(p[:n])
	return n, err
}

func (m *meter) sum() string { return hex.EncodeToString(m.h.Sum(nil)) }
