package multiparttest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"storagegw/domain"
)

// testWritePart: parts written through the service (one of them
// replaced) are listed with their sizes and ETags and assemble into the
// file; an unknown upload is domain.ErrNotFound.
func testWritePart(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	first, second := randomBytes(domain.MinPartBytes), randomBytes(1234)
	if _, err := fx.Writer.WritePart(t.Context(), k, id, 1, bytes.NewReader(randomBytes(domain.MinPartBytes)), domain.MinPartBytes); err != nil {
		t.Fatalf("WritePart(1): got %v, want nil", err)
	}
	e1, err := fx.Writer.WritePart(t.Context(), k, id, 1, bytes.NewReader(first), domain.MinPartBytes)
	if err != nil {
		t.Fatalf("WritePart(1) again: got %v, want nil", err)
	}
	e2, err := fx.Writer.WritePart(t.Context(), k, id, 2, bytes.NewReader(second), int64(len(second)))
	if err != nil {
		t.Fatalf("WritePart(2): got %v, want nil", err)
	}
	parts, err := fx.Store.ListParts(t.Context(), k, id)
	if err != nil || len(parts) != 2 || parts[0].Size != domain.MinPartBytes || parts[1].Size != 1234 ||
		domain.NormalizeETag(parts[0].ETag) != domain.NormalizeETag(e1) || domain.NormalizeETag(parts[1].ETag) != domain.NormalizeETag(e2) {
		t.Fatalf("ListParts: got (%v, %v), want parts of %d and 1234 bytes with the ETags written", parts, err, domain.MinPartBytes)
	}
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{{Number: 1, ETag: e1}, {Number: 2, ETag: e2}}); err != nil {
		t.Fatalf("CompleteMultipart: got %v, want nil", err)
	}
	wantContent(t, fx.Store, k, append(first, second...))
	if _, err := fx.Writer.WritePart(t.Context(), k, "no-such-upload", 1, bytes.NewReader(second), int64(len(second))); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("WritePart to an unknown upload: got %v, want ErrNotFound", err)
	}
}

// testWritePartShort: a reader that ends early or fails stores nothing,
// and its failure is passed on.
func testWritePartShort(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	if _, err := fx.Writer.WritePart(t.Context(), k, id, 1, bytes.NewReader(randomBytes(100)), 200); err == nil {
		t.Error("WritePart of a short reader: got nil, want an error")
	}
	boom := errors.New("client went away")
	r := io.MultiReader(bytes.NewReader(randomBytes(1000)), failing{boom})
	if _, err := fx.Writer.WritePart(t.Context(), k, id, 1, r, 5000); !errors.Is(err, boom) {
		t.Errorf("WritePart of a failing reader: got %v, want its error", err)
	}
	parts, err := fx.Store.ListParts(t.Context(), k, id)
	if err != nil || len(parts) != 0 {
		t.Errorf("ListParts after failed writes: got (%v, %v), want none", parts, err)
	}
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
