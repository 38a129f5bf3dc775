package multiparttest

import (
	"crypto/rand"
	"slices"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// testAbort aborts an upload with a part: nothing is left, a part sent
// afterwards is refused, and a second abort finds nothing.
func testAbort(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	put(t, fx, k, id, 1, randomBytes(100))
	if err := fx.Store.AbortMultipart(t.Context(), k, id); err != nil {
		t.Fatalf("AbortMultipart: %v", err)
	}
	wantGone(t, fx, k, id)
	if _, err := fx.Store.Stat(t.Context(), k); err == nil {
		t.Errorf("Stat after abort: got a blob, want none")
	}
	if link, err := fx.Store.PartURL(t.Context(), k, id, 2, 10, time.Minute); err == nil {
		if _, err := fx.PutPart(t, link, randomBytes(10)); err == nil {
			t.Errorf("PUT a part of an aborted upload: got success, want a refusal")
		}
	}
	wantKind(t, "second AbortMultipart", fx.Store.AbortMultipart(t.Context(), k, id), domain.ErrNotFound)
}

// testUnknownUpload uses upload ids the store does not know, and a real
// one with another key.
func testUnknownUpload(t *testing.T, fx Fixture) {
	k := key(t)
	unknown := rand.Text()
	_, err := fx.Store.ListParts(t.Context(), k, unknown)
	wantKind(t, "ListParts of an unknown upload", err, domain.ErrNotFound)
	_, err = fx.Store.CompleteMultipart(t.Context(), k, unknown, []domain.PartRef{{Number: 1, ETag: `"00"`}})
	wantKind(t, "CompleteMultipart of an unknown upload", err, domain.ErrNotFound)
	wantKind(t, "AbortMultipart of an unknown upload", fx.Store.AbortMultipart(t.Context(), k, unknown), domain.ErrNotFound)

	id := initiate(t, fx, k)
	other := key(t)
	_, err = fx.Store.ListParts(t.Context(), other, id)
	wantKind(t, "ListParts with another key", err, domain.ErrNotFound)
	wantKind(t, "AbortMultipart with another key", fx.Store.AbortMultipart(t.Context(), other, id), domain.ErrNotFound)
	if _, err := fx.Store.ListParts(t.Context(), k, id); err != nil {
		t.Errorf("ListParts of the real upload: got %v, want nil", err)
	}
}

// testListMultipart lists three uploads (two of one key) under a prefix,
// whole and a page of one at a time.
func testListMultipart(t *testing.T, fx Fixture) {
	prefix := "org-1/workspace/doc/" + rand.Text() + "/"
	k1, k2 := prefix+"a.pdf/"+rand.Text(), prefix+"b.pdf/"+rand.Text()
	start := time.Now()
	ids := map[string]bool{initiate(t, fx, k2): true, initiate(t, fx, k1): true, initiate(t, fx, k1): true}
	initiate(t, fx, key(t)) // outside the prefix

	all, err := fx.Store.ListMultipart(t.Context(), prefix, "", "", 100)
	if err != nil {
		t.Fatalf("ListMultipart: %v", err)
	}
	if len(all) != 3 {
		t.Fatalf("ListMultipart(%q): got %d uploads, want 3: %+v", prefix, len(all), all)
	}
	keys := []string{all[0].Key, all[1].Key, all[2].Key}
	if !slices.Equal(keys, []string{k1, k1, k2}) {
		t.Errorf("ListMultipart keys: got %q, want %q", keys, []string{k1, k1, k2})
	}
	for _, u := range all {
		if !ids[u.StoreUploadID] {
			t.Errorf("ListMultipart: got unknown upload %q", u.StoreUploadID)
		}
		if u.Initiated.Before(start.Add(-time.Minute)) || u.Initiated.After(time.Now().Add(time.Minute)) {
			t.Errorf("ListMultipart: upload %q initiated at %v, want about %v", u.StoreUploadID, u.Initiated, start)
		}
	}
	var paged []application.MultipartUpload
	afterKey, afterID := "", ""
	for range 10 {
		page, err := fx.Store.ListMultipart(t.Context(), prefix, afterKey, afterID, 1)
		if err != nil {
			t.Fatalf("ListMultipart page: %v", err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		afterKey, afterID = page[0].Key, page[0].StoreUploadID
	}
	if !slices.EqualFunc(paged, all, func(a, b application.MultipartUpload) bool {
		return a.Key == b.Key && a.StoreUploadID == b.StoreUploadID
	}) {
		t.Errorf("ListMultipart one at a time: got %+v, want %+v", paged, all)
	}
	_, err = fx.Store.ListMultipart(t.Context(), prefix, "", "", 0)
	wantKind(t, "ListMultipart with limit 0", err, domain.ErrInvalid)
}

// testHostileKeys offers keys the port refuses before any I/O.
func testHostileKeys(t *testing.T, fx Fixture) {
	for _, k := range []string{"", "../etc/passwd", "a//b", "/abs/key", "a/./b", "a\\b", "a/\x00/b"} {
		_, err := fx.Store.InitiateMultipart(t.Context(), k, "")
		wantKind(t, "InitiateMultipart("+k+")", err, domain.ErrInvalid)
		_, err = fx.Store.PartURL(t.Context(), k, "id", 1, 10, time.Minute)
		wantKind(t, "PartURL("+k+")", err, domain.ErrInvalid)
		_, err = fx.Store.ListParts(t.Context(), k, "id")
		wantKind(t, "ListParts("+k+")", err, domain.ErrInvalid)
		_, err = fx.Store.CompleteMultipart(t.Context(), k, "id", []domain.PartRef{{Number: 1, ETag: "x"}})
		wantKind(t, "CompleteMultipart("+k+")", err, domain.ErrInvalid)
		wantKind(t, "AbortMultipart("+k+")", fx.Store.AbortMultipart(t.Context(), k, "id"), domain.ErrInvalid)
	}
	_, err := fx.Store.ListMultipart(t.Context(), "../", "", "", 10)
	wantKind(t, "ListMultipart(../)", err, domain.ErrInvalid)
}

// testConcurrentParts sends four parts at once.
func testConcurrentParts(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	data := [][]byte{randomBytes(domain.MinPartBytes), randomBytes(domain.MinPartBytes),
		randomBytes(domain.MinPartBytes), randomBytes(77)}
	refs := make([]domain.PartRef, len(data))
	var wg sync.WaitGroup
	for i := range data {
		wg.Go(func() {
			link, err := fx.Store.PartURL(t.Context(), k, id, i+1, int64(len(data[i])), time.Minute)
			if err == nil {
				refs[i].Number = i + 1
				refs[i].ETag, err = fx.PutPart(t, link, data[i])
			}
			if err != nil {
				t.Errorf("part %d: %v", i+1, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if _, err := fx.Store.CompleteMultipart(t.Context(), k, id, refs); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	wantContent(t, fx.Store, k, concat(data...))
}
