package multiparttest

import (
	"testing"

	"storagegw/domain"
)

// testRoundTrip uploads three parts out of order, lists them and
// completes: the blob appears only then, holding the parts in order.
func testRoundTrip(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	p1, p2, p3 := randomBytes(domain.MinPartBytes), randomBytes(domain.MinPartBytes), randomBytes(1234)
	r3 := put(t, fx, k, id, 3, p3)
	r1 := put(t, fx, k, id, 1, p1)
	r2 := put(t, fx, k, id, 2, p2)

	stored, err := fx.Store.ListParts(t.Context(), k, id)
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	want := []domain.StoredPart{{Number: 1, ETag: r1.ETag, Size: int64(len(p1))},
		{Number: 2, ETag: r2.ETag, Size: int64(len(p2))}, {Number: 3, ETag: r3.ETag, Size: int64(len(p3))}}
	if len(stored) != len(want) {
		t.Fatalf("ListParts: got %d parts, want %d", len(stored), len(want))
	}
	for i, s := range stored {
		if s.Number != want[i].Number || s.Size != want[i].Size || domain.NormalizeETag(s.ETag) != domain.NormalizeETag(want[i].ETag) {
			t.Errorf("ListParts[%d]: got %+v, want %+v (ETags compared normalized)", i, s, want[i])
		}
	}
	if _, err := fx.Store.Stat(t.Context(), k); err == nil {
		t.Errorf("Stat before complete: got the blob, want it absent until the upload completes")
	}

	info, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{r1, r2, r3})
	if err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	data := concat(p1, p2, p3)
	if info.Key != k || info.Size != int64(len(data)) {
		t.Errorf("CompleteMultipart: got {Key: %q, Size: %d}, want {Key: %q, Size: %d}", info.Key, info.Size, k, len(data))
	}
	wantContent(t, fx.Store, k, data)
	wantGone(t, fx, k, id)
}

// testSinglePart completes an upload of one part smaller than the
// minimum, which the last (and only) part may be.
func testSinglePart(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	data := randomBytes(100)
	ref := put(t, fx, k, id, 1, data)
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{ref}); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	wantContent(t, fx.Store, k, data)
}

// testReplacePart sends part 1 twice: the second upload replaces the
// first, and only its ETag completes the upload.
func testReplacePart(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	first := put(t, fx, k, id, 1, []byte("first version of the part"))
	data := []byte("second version of the part")
	second := put(t, fx, k, id, 1, data)
	if domain.NormalizeETag(first.ETag) == domain.NormalizeETag(second.ETag) {
		t.Fatalf("ETags of different content: got both %q", first.ETag)
	}
	stored, err := fx.Store.ListParts(t.Context(), k, id)
	if err != nil || len(stored) != 1 || domain.NormalizeETag(stored[0].ETag) != domain.NormalizeETag(second.ETag) {
		t.Fatalf("ListParts: got (%+v, %v), want only the second upload of part 1", stored, err)
	}
	_, err = fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{first})
	wantKind(t, "CompleteMultipart with the replaced part's ETag", err, domain.ErrInvalid)
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{second}); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	wantContent(t, fx.Store, k, data)
}

// testCompleteRefusals offers lists the store must refuse (domain.ErrInvalid)
// while keeping the upload open, then completes it.
func testCompleteRefusals(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	p1, p2 := randomBytes(domain.MinPartBytes), randomBytes(10)
	r1, r2 := put(t, fx, k, id, 1, p1), put(t, fx, k, id, 2, p2)
	for name, parts := range map[string][]domain.PartRef{
		"wrong ETag":     {r1, {Number: 2, ETag: `"0123456789abcdef0123456789abcdef"`}},
		"missing part":   {r1, r2, {Number: 3, ETag: r2.ETag}},
		"out of order":   {r2, r1},
		"repeated part":  {r1, r1, r2},
		"unuploaded num": {r1, {Number: 7, ETag: r2.ETag}},
	} {
		_, err := fx.Store.CompleteMultipart(t.Context(), k, id, parts)
		wantKind(t, "CompleteMultipart, "+name, err, domain.ErrInvalid)
	}
	if _, err := fx.Store.Stat(t.Context(), k); err == nil {
		t.Errorf("Stat after refused completes: got a blob, want none")
	}
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{r1, r2}); err != nil {
		t.Fatalf("CompleteMultipart after refusals: got %v, want the upload still open", err)
	}
	wantContent(t, fx.Store, k, concat(p1, p2))
}

// testPartTooSmall completes with a first part below domain.MinPartBytes.
func testPartTooSmall(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	r1, r2 := put(t, fx, k, id, 1, randomBytes(1024)), put(t, fx, k, id, 2, randomBytes(1024))
	_, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{r1, r2})
	wantKind(t, "CompleteMultipart with a small first part", err, domain.ErrInvalid)
	if _, err := fx.Store.ListParts(t.Context(), k, id); err != nil {
		t.Errorf("ListParts after a refused complete: got %v, want the upload still open", err)
	}
}

// testCompleteTwice completes an upload a second time: not found, or a
// repeated success that changes nothing.
func testCompleteTwice(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	data := randomBytes(64)
	ref := put(t, fx, k, id, 1, data)
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{ref}); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, []domain.PartRef{ref}); err != nil {
		wantKind(t, "second CompleteMultipart", err, domain.ErrNotFound)
	}
	wantContent(t, fx.Store, k, data)
	wantGone(t, fx, k, id)
}
