package application_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// tusFixture is the multipart fixture with the TUS use cases enabled.
type tusFixture struct {
	*mpFixture
	uploads *memrepo.TusUploads
}

func newTusFixture(t *testing.T) *tusFixture {
	f := &tusFixture{mpFixture: newMPFixture(t), uploads: memrepo.NewTusUploads()}
	f.app.EnableTus(f.uploads, f.store, application.TusOptions{})
	return f
}

func (f *tusFixture) create(t *testing.T, c application.Caller, name string, size int64) *domain.TusUpload {
	t.Helper()
	res, err := f.app.TusCreate.Handle(t.Context(), application.TusCreateCommand{Caller: c, System: "workspace",
		ObjectType: "doc", ObjectID: "doc-1", Filename: name, Length: size})
	if err != nil {
		t.Fatalf("TusCreate: got %v, want nil", err)
	}
	return res.Upload
}

func (f *tusFixture) patch(t *testing.T, c application.Caller, id string, offset int64, body []byte, known bool) (application.TusPatchResult, error) {
	n := int64(len(body))
	if !known {
		n = -1
	}
	return f.app.TusPatch.Handle(t.Context(), application.TusPatchCommand{Caller: c, ID: id, Offset: offset,
		Body: bytes.NewReader(body), ContentLength: n})
}

func actions(evs []domain.AuditEventData) []domain.Action {
	out := make([]domain.Action, len(evs))
	for i, e := range evs {
		out[i] = e.Action
	}
	return out
}

// TestTusChunkings: whatever the chunking (aligned with parts, smaller,
// larger, of unknown length), the bytes assemble into the file, with one
// event per request and no segment left.
func TestTusChunkings(t *testing.T) {
	t.Parallel()
	data := pngBytes(12<<20 + 4321)
	for _, tc := range []struct {
		name  string
		chunk int
		known bool
	}{
		{"parts", domain.MinPartBytes, true},
		{"small", 3 << 20, true},
		{"large", 7 << 20, true},
		{"unknown length", 2 << 20, false},
		{"whole", len(data), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newTusFixture(t)
			member := caller("org-1", domain.RoleMember)
			u := f.create(t, member, "big.png", int64(len(data)))
			var res application.TusPatchResult
			requests := 0
			for off := 0; off < len(data); off += tc.chunk {
				var err error
				res, err = f.patch(t, member, u.ID(), int64(off), data[off:min(off+tc.chunk, len(data))], tc.known)
				if err != nil {
					t.Fatalf("PATCH at %d: got %v, want nil", off, err)
				}
				requests++
			}
			if res.Record == nil || res.Upload.Offset() != int64(len(data)) || !res.Upload.Completed() {
				t.Fatalf("last PATCH: got %+v, want the committed record", res)
			}
			rc, _, err := f.blobs.Open(t.Context(), res.Record.Content().BlobKey, application.Whole)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Fatalf("content: got %d bytes, want the %d sent", len(got), len(data))
			}
			evs := f.events(t, "org-1")
			if len(evs) != 1+requests || evs[0].Action != domain.ActionMultipartInitiate || evs[len(evs)-1].Action != domain.ActionUpload {
				t.Fatalf("events: got %v, want MULTIPART_INITIATE, a TUS_PATCH per PATCH but the last, UPLOAD", actions(evs))
			}
			if evs[0].Metadata["protocol"] != "tus" || evs[len(evs)-1].Metadata["protocol"] != "tus" {
				t.Errorf("metadata: got %v and %v, want protocol tus", evs[0].Metadata, evs[len(evs)-1].Metadata)
			}
			blobs, _ := f.blobs.List(t.Context(), "", "", 100)
			if len(blobs) != 1 {
				t.Errorf("blobs: got %v, want the file alone (no segment)", blobs)
			}
			st, err := f.app.TusStatus.Handle(t.Context(), application.TusStatusCommand{Caller: member, ID: u.ID()})
			if err != nil || !st.Completed() {
				t.Errorf("status after completion: got %v, %v", st, err)
			}
		})
	}
}

// TestTusRefusals: the callers and requests a TUS upload refuses, each
// with its error and one event.
func TestTusRefusals(t *testing.T) {
	t.Parallel()
	f := newTusFixture(t)
	member, viewer := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleViewer)
	other := caller("org-2", domain.RoleAdmin)
	_, err := f.app.TusCreate.Handle(t.Context(), application.TusCreateCommand{Caller: viewer, System: "workspace",
		ObjectType: "doc", ObjectID: "d", Filename: "a.png", Length: 10})
	if !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("viewer create: got %v, want ErrForbidden", err)
	}
	u := f.create(t, member, "a.png", 100)
	for name, err := range map[string]error{
		"other org patch": func() error { _, err := f.patch(t, other, u.ID(), 0, []byte("x"), true); return err }(),
		"other org head": func() error {
			_, err := f.app.TusStatus.Handle(t.Context(), application.TusStatusCommand{Caller: other, ID: u.ID()})
			return err
		}(),
		"other org delete": f.app.TusTerminate.Handle(t.Context(), application.TusTerminateCommand{Caller: other, ID: u.ID()}),
	} {
		if !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", name, err)
		}
	}
	if _, err := f.patch(t, member, u.ID(), 7, []byte("x"), true); codeOf(err) != "offset_mismatch" {
		t.Errorf("wrong offset: got %v, want offset_mismatch", err)
	}
	if _, err := f.patch(t, member, u.ID(), 0, make([]byte, 101), true); !errors.Is(err, domain.ErrTooLarge) {
		t.Errorf("too long a body: got %v, want ErrTooLarge", err)
	}
	// The final PATCH of bytes the kind refuses: 415, nothing recorded.
	if _, err := f.patch(t, member, u.ID(), 0, bytes.Repeat([]byte{0}, 100), true); !errors.Is(err, domain.ErrUnsupportedType) {
		t.Fatalf("wrong type: got %v, want ErrUnsupportedType", err)
	}
	if _, err := f.uploads.Get(t.Context(), u.ID()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TUS state after a refused completion: got %v, want it removed", err)
	}
	s, _ := domain.RehydrateUploadSession(domain.UploadSessionData{ID: u.ID(), Path: u.Path(), UploadID: "x", StoreUploadID: "x",
		CreatedBy: "x", DeclaredSize: 100, PartSize: domain.MinPartBytes, CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now(), State: domain.SessionActive})
	f.wantNothingLeft(t, s)
	last := f.events(t, "org-1")
	if e := last[len(last)-1]; e.Action != domain.ActionUpload || e.Success {
		t.Errorf("last event: got %s success=%v, want a failed UPLOAD", e.Action, e.Success)
	}
}

// TestTusLease: a second writer is refused while a lease is held.
func TestTusLease(t *testing.T) {
	t.Parallel()
	f := newTusFixture(t)
	member := caller("org-1", domain.RoleMember)
	u := f.create(t, member, "a.png", 100)
	held, _ := f.uploads.Get(t.Context(), u.ID())
	if err := held.Lock("another-request", f.clock.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := f.uploads.Update(t.Context(), held); err != nil {
		t.Fatal(err)
	}
	if _, err := f.patch(t, member, u.ID(), 0, pngBytes(100), true); codeOf(err) != "upload_locked" {
		t.Errorf("PATCH under another's lease: got %v, want upload_locked", err)
	}
	f.clock.Advance(61 * time.Second)
	if res, err := f.patch(t, member, u.ID(), 0, pngBytes(100), true); err != nil || res.Record == nil {
		t.Errorf("PATCH once the lease ran out: got %v, %v, want the completed upload", res, err)
	}
}

// cutReader yields n bytes of data and then fails, as a dropped
// connection does.
type cutReader struct {
	data []byte
	n    int
}

func (r *cutReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	k := copy(p, r.data[:min(len(r.data), r.n)])
	r.data, r.n = r.data[k:], r.n-k
	return k, nil
}

// TestTusCreationWithUpload: a creation that carries bytes is one request
// with one event: UPLOAD when the body completes the file,
// MULTIPART_INITIATE with the bytes stored when it does not, and a failed
// MULTIPART_INITIATE with nothing left when the body is cut (the client
// never learnt of the upload).
func TestTusCreationWithUpload(t *testing.T) {
	t.Parallel()
	member := caller("org-1", domain.RoleMember)
	create := func(f *tusFixture, name string, length int64, body io.Reader, n int64) (application.TusPatchResult, error) {
		return f.app.TusCreate.Handle(t.Context(), application.TusCreateCommand{Caller: member, System: "workspace",
			ObjectType: "doc", ObjectID: "doc-1", Filename: name, Length: length, Body: body, ContentLength: n})
	}
	t.Run("whole file", func(t *testing.T) {
		t.Parallel()
		f := newTusFixture(t)
		data := pngBytes(6<<20 + 10)
		res, err := create(f, "a.png", int64(len(data)), bytes.NewReader(data), int64(len(data)))
		if err != nil || res.Record == nil || !res.Upload.Completed() {
			t.Fatalf("creation with the whole file: got %+v, %v, want the committed record", res, err)
		}
		evs := f.events(t, "org-1")
		if len(evs) != 1 || evs[0].Action != domain.ActionUpload || !evs[0].Success ||
			evs[0].Metadata["creation_with_upload"] != true || evs[0].Metadata["protocol"] != "tus" {
			t.Fatalf("events: got %v %v, want one UPLOAD with creation_with_upload", actions(evs), evs)
		}
	})
	t.Run("first bytes", func(t *testing.T) {
		t.Parallel()
		f := newTusFixture(t)
		data := pngBytes(7 << 20)
		first := int64(2 << 20)
		res, err := create(f, "a.png", int64(len(data)), bytes.NewReader(data[:first]), first)
		if err != nil || res.Record != nil || res.Upload.Offset() != first {
			t.Fatalf("creation with 2 MiB: got %+v, %v, want offset %d", res, err, first)
		}
		evs := f.events(t, "org-1")
		if len(evs) != 1 || evs[0].Action != domain.ActionMultipartInitiate || !evs[0].Success ||
			fmt.Sprint(evs[0].Metadata["bytes_stored"]) != fmt.Sprint(first) || evs[0].Metadata["creation_with_upload"] != true {
			t.Fatalf("events: got %v %v, want one MULTIPART_INITIATE with bytes_stored %d", actions(evs), evs, first)
		}
		if res, err := f.patch(t, member, res.Upload.ID(), first, data[first:], true); err != nil || res.Record == nil {
			t.Fatalf("PATCH of the rest: got %+v, %v", res, err)
		}
		if evs := f.events(t, "org-1"); len(evs) != 2 || evs[1].Action != domain.ActionUpload {
			t.Fatalf("events: got %v, want MULTIPART_INITIATE, UPLOAD", actions(evs))
		}
	})
	t.Run("cut body", func(t *testing.T) {
		t.Parallel()
		f := newTusFixture(t)
		data := pngBytes(7 << 20)
		_, err := create(f, "a.png", int64(len(data)), &cutReader{data: data, n: 6 << 20}, int64(len(data)))
		if err == nil {
			t.Fatal("creation with a cut body: got nil, want an error")
		}
		evs := f.events(t, "org-1")
		if len(evs) != 1 || evs[0].Action != domain.ActionMultipartInitiate || evs[0].Success {
			t.Fatalf("events: got %v %v, want one failed MULTIPART_INITIATE", actions(evs), evs)
		}
		path := domain.MustParseStoragePath("org-1/workspace/doc/doc-1/a.png")
		if _, err := f.files.Get(t.Context(), path); err == nil {
			t.Errorf("reservation after a cut creation: got one, want the path free")
		}
		if blobs, _ := f.blobs.List(t.Context(), "", "", 10); len(blobs) != 0 {
			t.Errorf("blobs after a cut creation: got %v, want none (part and segment discarded)", blobs)
		}
		if ups, _ := f.blobs.ListMultipart(t.Context(), "", "", "", 10); len(ups) != 0 {
			t.Errorf("store uploads after a cut creation: got %v, want none", ups)
		}
		if res, err := create(f, "a.png", int64(len(data)), bytes.NewReader(data), int64(len(data))); err != nil || res.Record == nil {
			t.Fatalf("retried creation: got %+v, %v, want the file", res, err)
		}
	})
}
