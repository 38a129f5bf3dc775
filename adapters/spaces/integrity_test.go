package spaces

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// streaming is the x-amz-content-sha256 of a request whose body is sent in
// chunks, each signed with its sha256 (SigV4 streaming), lower-cased.
const streaming = "streaming-aws4-hmac-sha256-payload"

// TestPlainHTTPPayloadsAreSigned watches the requests of a small and a
// multipart Put over plain HTTP: every PUT carries a streaming signature
// (the sha256 of each chunk, signed), so the store verifies the bytes
// themselves, not only the headers (docs/SPACES.md, "Integrity on the
// wire").
func TestPlainHTTPPayloadsAreSigned(t *testing.T) {
	t.Parallel()
	sent := sentBySmallAndLargePuts(t)
	var puts []string // the x-amz-content-sha256 of each PUT
	method := ""
	for line := range strings.Lines(sent) {
		if m, _, ok := strings.Cut(line, " /"); ok && !strings.Contains(m, ":") {
			method = m
		}
		if v, ok := strings.CutPrefix(line, "x-amz-content-sha256: "); ok && method == "put" {
			puts = append(puts, strings.TrimSpace(v))
		}
	}
	want := []string{streaming, streaming, streaming} // PUT, part 1, part 2
	if !slices.Equal(puts, want) {
		t.Errorf("the PUTs carried x-amz-content-sha256 %q, want %q", puts, want)
	}
}

// TestCorruptedBodiesAreRefused puts a small and a multipart blob through
// a proxy that changes bytes of the bodies on the way: the store refuses
// each, and nothing is left in the bucket.
func TestCorruptedBodiesAreRefused(t *testing.T) {
	t.Parallel()
	o := newBucket(t)
	direct := o
	p := newProxy(t, o.Endpoint)
	p.corruptBodies()
	o.Endpoint = p.addr
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1 << 10, MinPartSize + 1} {
		data := bytes.Repeat([]byte{0xff}, size)
		if _, err := s.Put(t.Context(), "corrupted", bytes.NewReader(data), ""); err == nil {
			t.Errorf("Put of %d bytes through a corrupting link: got nil, want the store's refusal", size)
		}
	}
	wantEmpty(t, direct)
}
