package application_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TestUploadFailureAtEveryStep fails each step of an upload in turn and
// checks that nothing is left half-done: no record without a blob, no blob
// without a record, the previous content intact, exactly one audit event.
func TestUploadFailureAtEveryStep(t *testing.T) {
	t.Parallel()
	diskFull := application.InsufficientStorage(syscall.ENOSPC)
	tests := []struct {
		name      string
		overwrite bool // upload over an existing file
		arm       func(f *fixture)
		body      func() io.Reader
		kind      error
		code      string // the code clients see, when it matters
	}{
		{name: "reserving the path fails", kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyFiles.failCreate = true }},
		{name: "loading the existing record fails", overwrite: true, kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyFiles.failGet = true }},
		{name: "the store refuses the blob", kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyBlobs.failPut = true }},
		{name: "the store refuses the blob of an overwrite", overwrite: true, kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyBlobs.failPut = true }},
		{name: "the client's body breaks midway", kind: io.ErrUnexpectedEOF,
			body: func() io.Reader {
				return io.MultiReader(bytes.NewReader(pngBytes(8000)), errReader{io.ErrUnexpectedEOF})
			}},
		{name: "the body of an overwrite breaks midway", overwrite: true, kind: io.ErrUnexpectedEOF,
			body: func() io.Reader {
				return io.MultiReader(bytes.NewReader(pngBytes(8000)), errReader{io.ErrUnexpectedEOF})
			}},
		{name: "committing the record fails", kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyFiles.failCommit = 1 }},
		{name: "committing an overwrite fails", overwrite: true, kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyFiles.failCommit = 1 }},
		{name: "the store's disk is full", kind: domain.ErrUnavailable, code: application.CodeInsufficientStorage,
			arm: func(f *fixture) { f.faultyBlobs.failPut, f.faultyBlobs.putErr = true, diskFull }},
		{name: "the store's disk fills up on an overwrite", overwrite: true, kind: domain.ErrUnavailable,
			code: application.CodeInsufficientStorage,
			arm:  func(f *fixture) { f.faultyBlobs.failPut, f.faultyBlobs.putErr = true, diskFull }},
		{name: "the database's disk is full at commit", kind: domain.ErrUnavailable, code: application.CodeInsufficientStorage,
			arm: func(f *fixture) { f.faultyFiles.failCommit, f.faultyFiles.commitErr = 1, diskFull }},
		{name: "committing fails and so does removing the blob", kind: domain.ErrUnavailable,
			arm: func(f *fixture) { f.faultyFiles.failCommit = 1; f.faultyBlobs.failDelete = true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			c := caller("org-1", domain.RoleMember)
			path := domain.MustParseStoragePath("org-1/accounting/receipt/exp-1/r.png")
			var before *domain.FileRecord
			if tc.overwrite {
				before = f.mustUpload(t, receipt(c, "r.png", pngBytes(100)))
			}
			events := len(f.audit.Events())
			if tc.arm != nil {
				tc.arm(f)
			}
			cmd := receipt(c, "r.png", pngBytes(3000))
			cmd.Overwrite = tc.overwrite
			if tc.body != nil {
				cmd.Body = tc.body()
			}
			_, err := f.app.Upload.Handle(context.Background(), cmd)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error: got %v, want %v", err, tc.kind)
			}
			if code, _ := domain.PublicMessage(err); tc.code != "" && code != tc.code {
				t.Errorf("code: got %q, want %q", code, tc.code)
			}
			f.faultyFiles.reset()

			ev := f.eventsSince(t, events, 1)[0]
			if ev.Success() {
				t.Errorf("audit: got success, want a failure")
			}
			keys := f.blobKeys(t, "")
			rec, getErr := f.files.Get(context.Background(), path)
			if before == nil {
				if !errors.Is(getErr, domain.ErrNotFound) {
					t.Errorf("record after failed upload: got %v, want none", getErr)
				}
				if len(keys) != 0 && !f.faultyBlobs.failDelete {
					t.Errorf("blobs after failed upload: got %v, want none", keys)
				}
				if f.faultyBlobs.failDelete && len(f.backgroundOps()) == 0 {
					t.Errorf("a blob that could not be removed was not reported")
				}
				return
			}
			if getErr != nil {
				t.Fatalf("previous record: %v", getErr)
			}
			if rec.Content() != before.Content() || !rec.Visible() || rec.PendingUploadID() != "" {
				t.Errorf("previous record changed: got %+v, want %+v", rec.Data(), before.Data())
			}
			if len(keys) != 1 || keys[0] != before.Content().BlobKey {
				t.Errorf("blobs: got %v, want only the previous %s", keys, before.Content().BlobKey)
			}
			if got := f.blobBytes(t, before.Content().BlobKey); sha(got) != before.Content().SHA256 {
				t.Errorf("previous blob's bytes changed")
			}
		})
	}
}

func TestUploadSucceedsWhenOnlyReplacedBlobRemovalFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	old := f.mustUpload(t, receipt(c, "r.png", pngBytes(100)))
	f.faultyBlobs.failDelete = true
	cmd := receipt(c, "r.png", pngBytes(200))
	cmd.Overwrite = true
	rec := f.mustUpload(t, cmd)
	if rec.Content().SizeBytes != 200 {
		t.Errorf("size: got %d, want 200", rec.Content().SizeBytes)
	}
	if ops := f.backgroundOps(); len(ops) != 1 || ops[0] != "remove replaced blob" {
		t.Errorf("background reports: got %v, want the replaced blob's removal", ops)
	}
	if keys := f.blobKeys(t, ""); len(keys) != 2 || keys[0] != old.Content().BlobKey && keys[1] != old.Content().BlobKey {
		t.Errorf("blobs: got %v, want the new one and the orphaned %s", keys, old.Content().BlobKey)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestUploadAfterStoreFailureEndsWithinOneBudget: the store fails an
// upload's Put as unreachable and then hangs on the removal of the blob;
// the upload answers store_unavailable about a second later (the removal's
// short budget after a store failure), not after a whole compensation
// budget, and its reservation is released.
func TestUploadAfterStoreFailureEndsWithinOneBudget(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := caller("org-1", domain.RoleMember)
	f.faultyBlobs.failPut = true
	f.faultyBlobs.putErr = domain.Wrap(domain.ErrUnavailable, application.CodeStoreUnavailable,
		"The file store is unavailable; try again later.", io.ErrClosedPipe)
	f.faultyBlobs.hangDelete = make(chan struct{}) // never closed: a black-holed store
	start := time.Now()
	_, err := f.app.Upload.Handle(context.Background(), receipt(c, "r.png", pngBytes(3000)))
	took := time.Since(start)
	wantKind(t, err, domain.ErrUnavailable, application.CodeStoreUnavailable)
	if took > 3*time.Second {
		t.Errorf("the upload answered after %v; want about a second after the store's failure", took)
	}
	if _, err := f.files.Get(t.Context(), domain.MustParseStoragePath("org-1/accounting/receipt/exp-1/r.png")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("reservation after the failure: got %v, want it released", err)
	}
}
