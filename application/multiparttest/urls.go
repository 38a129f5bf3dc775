package multiparttest

import (
	"bytes"
	"net/url"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// testTamperedPartURL alters each query parameter of a part URL in turn:
// every altered URL is refused, and no part is stored.
func testTamperedPartURL(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	link, err := fx.Store.PartURL(t.Context(), k, id, 1, 10, time.Minute)
	if err != nil {
		t.Fatalf("PartURL: %v", err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("PartURL %q does not parse: %v", link, err)
	}
	q := u.Query()
	if len(q) == 0 {
		t.Fatalf("PartURL %q has no query to tamper with", link)
	}
	for name := range q {
		altered := url.Values{}
		for n, vs := range q {
			altered[n] = append([]string(nil), vs...)
		}
		altered.Set(name, q.Get(name)+"0")
		tampered := *u
		tampered.RawQuery = altered.Encode()
		if _, err := fx.PutPart(t, tampered.String(), randomBytes(10)); err == nil {
			t.Errorf("PUT with %s altered: got success, want a refusal", name)
		}
	}
	if parts, err := fx.Store.ListParts(t.Context(), k, id); err != nil || len(parts) != 0 {
		t.Errorf("ListParts after tampered PUTs: got (%+v, %v), want no part", parts, err)
	}
}

// testExpiredPartURL uses a part URL after its expiry.
func testExpiredPartURL(t *testing.T, fx Fixture) {
	k := key(t)
	id := initiate(t, fx, k)
	link, err := fx.Store.PartURL(t.Context(), k, id, 1, 10, time.Second)
	if err != nil {
		t.Fatalf("PartURL: %v", err)
	}
	time.Sleep(2100 * time.Millisecond)
	if _, err := fx.PutPart(t, link, randomBytes(10)); err == nil {
		t.Errorf("PUT with an expired URL: got success, want a refusal")
	}
	if parts, err := fx.Store.ListParts(t.Context(), k, id); err != nil || len(parts) != 0 {
		t.Errorf("ListParts after an expired PUT: got (%+v, %v), want no part", parts, err)
	}
}

// testReceiverPartSize checks, for stores that receive their parts
// themselves, the errors of application.PartReceiver: a part of another
// size than its URL says, an altered and an expired URL.
func testReceiverPartSize(t *testing.T, fx Fixture) {
	r, ok := fx.Store.(application.PartReceiver)
	if !ok {
		t.Fatal("Run adds this test only for stores that are PartReceivers")
	}
	k := key(t)
	id := initiate(t, fx, k)
	link, err := fx.Store.PartURL(t.Context(), k, id, 1, 10, time.Minute)
	if err != nil {
		t.Fatalf("PartURL: %v", err)
	}
	u, _ := url.Parse(link)
	q := u.Query()
	_, err = r.ReceivePart(t.Context(), q, bytes.NewReader(randomBytes(11)))
	wantKind(t, "ReceivePart of 11 bytes for 10", err, domain.ErrTooLarge)
	_, err = r.ReceivePart(t.Context(), q, bytes.NewReader(randomBytes(9)))
	wantKind(t, "ReceivePart of 9 bytes for 10", err, domain.ErrInvalid)
	if parts, err := fx.Store.ListParts(t.Context(), k, id); err != nil || len(parts) != 0 {
		t.Errorf("ListParts after refused parts: got (%+v, %v), want no part", parts, err)
	}
	for name := range q {
		altered := url.Values{}
		for n, vs := range q {
			altered[n] = append([]string(nil), vs...)
		}
		altered.Set(name, q.Get(name)+"0")
		_, err = r.ReceivePart(t.Context(), altered, bytes.NewReader(randomBytes(10)))
		wantKind(t, "ReceivePart with "+name+" altered", err, domain.ErrForbidden)
	}

	if err := fx.Store.AbortMultipart(t.Context(), k, id); err != nil {
		t.Fatalf("AbortMultipart: %v", err)
	}
	_, err = r.ReceivePart(t.Context(), q, bytes.NewReader(randomBytes(10)))
	wantKind(t, "ReceivePart of an aborted upload", err, domain.ErrNotFound)
}
