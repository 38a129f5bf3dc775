// Package multiparttest is the conformance suite of the
// application.MultipartStore capability (and of application.PartReceiver
// for stores that receive their parts themselves). adapters/localfs,
// adapters/spaces (against a real S3 server) and the in-memory fake run it.
package multiparttest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// Store is what the suite tests: a blob store with multipart uploads.
type Store interface {
	application.BlobStore
	application.MultipartStore
}

// Fixture is one store under test.
type Fixture struct {
	Store Store
	// PutPart sends body with an HTTP PUT (or the store's equivalent) to
	// a URL the store's PartURL issued and returns the ETag it answered.
	// A refusal is an error.
	PutPart func(t *testing.T, url string, body []byte) (etag string, err error)
	// Writer is the store's application.PartWriter, when it has one (set
	// by the suite from the store under test).
	Writer application.PartWriter
}

// NewFunc returns a fixture on a new, empty store for one test. It is
// called from parallel subtests and should register cleanups with
// t.Cleanup.
type NewFunc func(t *testing.T) Fixture

// Run runs the suite on the fixtures' stores behind
// application.CheckedStore, as the use cases see them. Every sentence of
// the MultipartStore contract has a test here.
func Run(t *testing.T, newFixture NewFunc) {
	newFixture = checked(newFixture)
	tests := []struct {
		name string
		test func(*testing.T, Fixture)
	}{
		{"RoundTrip", testRoundTrip},
		{"SinglePart", testSinglePart},
		{"ReplacePart", testReplacePart},
		{"CompleteRefusesBadLists", testCompleteRefusals},
		{"PartTooSmall", testPartTooSmall},
		{"Abort", testAbort},
		{"UnknownUpload", testUnknownUpload},
		{"CompleteTwice", testCompleteTwice},
		{"ListMultipart", testListMultipart},
		{"HostileKeys", testHostileKeys},
		{"TamperedPartURL", testTamperedPartURL},
		{"ExpiredPartURL", testExpiredPartURL},
		{"ConcurrentParts", testConcurrentParts},
	}
	// A store that receives its parts itself (localfs, the fake) is also
	// held to application.PartReceiver's contract.
	if _, ok := newFixture(t).Store.(application.PartReceiver); ok {
		tests = append(tests, struct {
			name string
			test func(*testing.T, Fixture)
		}{"ReceiverPartSize", testReceiverPartSize})
	}
	// A store that takes part bytes from the service (TUS) is held to
	// application.PartWriter's.
	if newFixture(t).Writer != nil {
		tests = append(tests, []struct {
			name string
			test func(*testing.T, Fixture)
		}{{"WritePart", testWritePart}, {"WritePartShortReader", testWritePartShort}}...)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, newFixture(t))
		})
	}
}

// checked puts the stores of newFixture behind application.CheckedStore,
// which keeps their capabilities.
func checked(newFixture NewFunc) NewFunc {
	return func(t *testing.T) Fixture {
		fx := newFixture(t)
		if w, ok := fx.Store.(application.PartWriter); ok {
			fx.Writer = w
		}
		fx.Store = application.CheckedStore(fx.Store).(Store)
		return fx
	}
}

// key is a blob key in the application's layout, unique per call.
func key(t *testing.T) string {
	return "org-1/workspace/doc/doc-1/report.pdf/" + rand.Text()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// initiate starts an upload to key.
func initiate(t *testing.T, fx Fixture, key string) string {
	t.Helper()
	id, err := fx.Store.InitiateMultipart(t.Context(), key, "application/pdf")
	if err != nil || id == "" {
		t.Fatalf("InitiateMultipart(%q): got (%q, %v), want an id and nil", key, id, err)
	}
	return id
}

// put uploads data as part n and returns its reference.
func put(t *testing.T, fx Fixture, key, id string, n int, data []byte) domain.PartRef {
	t.Helper()
	link, err := fx.Store.PartURL(t.Context(), key, id, n, int64(len(data)), time.Minute)
	if err != nil {
		t.Fatalf("PartURL(part %d): got error %v, want nil", n, err)
	}
	etag, err := fx.PutPart(t, link, data)
	if err != nil || domain.NormalizeETag(etag) == "" {
		t.Fatalf("PUT part %d: got (%q, %v), want an ETag and nil", n, etag, err)
	}
	return domain.PartRef{Number: n, ETag: etag}
}

// wantContent checks that key holds exactly data.
func wantContent(t *testing.T, s Store, key string, data []byte) {
	t.Helper()
	rc, info, err := s.Open(t.Context(), key, application.Whole)
	if err != nil {
		t.Fatalf("Open(%q): got error %v, want nil", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	if sha256.Sum256(got) != sha256.Sum256(data) || info.Size != int64(len(data)) {
		t.Errorf("content of %q: got %d bytes (info %d), want the %d bytes uploaded", key, len(got), info.Size, len(data))
	}
}

// wantKind checks that err matches kind.
func wantKind(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got error %v, want %v", what, err, kind)
	}
}

// wantGone checks that the upload is over: its parts cannot be listed,
// it cannot be aborted and it is not listed.
func wantGone(t *testing.T, fx Fixture, key, id string) {
	t.Helper()
	_, err := fx.Store.ListParts(t.Context(), key, id)
	wantKind(t, "ListParts of a finished upload", err, domain.ErrNotFound)
	uploads, err := fx.Store.ListMultipart(t.Context(), key, "", "", 100)
	if err != nil {
		t.Fatalf("ListMultipart(%q): %v", key, err)
	}
	for _, u := range uploads {
		if u.StoreUploadID == id {
			t.Errorf("ListMultipart(%q): got finished upload %q listed", key, id)
		}
	}
}

// concat joins parts.
func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
