package localfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/blobstoretest"
	"storagegw/domain"
)

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	s, err := New(dir)
	if err != nil {
		t.Fatalf("New: got error %v, want nil", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func TestConformance(t *testing.T) {
	s, _ := newTestStore(t)
	if !s.unnamed {
		t.Fatal("this filesystem gives no unnamed files (O_TMPFILE): the tests would not cover Put's main path")
	}
	blobstoretest.Run(t, func(t *testing.T) application.BlobStore {
		s, _ := newTestStore(t)
		return s
	})
}

// TestConformanceNamed runs the suite on the Puts of a filesystem without
// unnamed files: every one through a named temp file.
func TestConformanceNamed(t *testing.T) {
	blobstoretest.Run(t, func(t *testing.T) application.BlobStore {
		s, _ := newTestStore(t)
		s.unnamed = false
		return s
	})
}

// TestPutOfANewBlobNamesNoFile: while a new blob is written, neither the
// temp area nor the blob's directory holds any entry for it; a
// replacement's content appears whole, and the temp area is empty after.
func TestPutOfANewBlobNamesNoFile(t *testing.T) {
	s, dir := newTestStore(t)
	key := "org-1/accounting/receipt/r1/a.png/u1"
	objectDir := filepath.Join(dir, blobsDir, "org-1", "accounting", "receipt", "r1", "a.png")
	seen := -1
	r := &peekingReader{left: []byte("hello"), peek: func() {
		tmp, _ := os.ReadDir(filepath.Join(dir, tmpDir))
		in, _ := os.ReadDir(objectDir)
		seen = len(tmp) + len(in)
	}}
	if _, err := s.Put(t.Context(), key, r, ""); err != nil {
		t.Fatal(err)
	}
	if seen != 0 {
		t.Errorf("entries in the temp area and the blob's directory during the Put: %d, want 0", seen)
	}
	if _, err := s.Put(t.Context(), key, strings.NewReader("replaced"), ""); err != nil {
		t.Fatalf("Put over an existing blob: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(objectDir, "u1"+fileSuffix)); err != nil || string(b) != "replaced" {
		t.Errorf("blob after the replacement: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, tmpDir)); len(entries) != 0 {
		t.Errorf("temp area after the replacement: %d entries, want none", len(entries))
	}
}

// peekingReader calls peek before it hands out its bytes.
type peekingReader struct {
	left []byte
	peek func()
}

func (r *peekingReader) Read(p []byte) (int, error) {
	if len(r.left) == 0 {
		return 0, io.EOF
	}
	r.peek()
	n := copy(p, r.left)
	r.left = r.left[n:]
	return n, nil
}

// TestSymlinksDoNotEscape plants symlinks inside the store that point
// outside it; nothing outside may be read, listed, written or removed.
func TestSymlinksDoNotEscape(t *testing.T) {
	s, dir := newTestStore(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret%blob")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(dir, blobsDir)
	rel, err := filepath.Rel(blobs, secret)
	if err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"abs%blob": secret, "rel%blob": rel, "absdir": outside, "reldir": filepath.Dir(rel),
	} {
		if err := os.Symlink(target, filepath.Join(blobs, name)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := t.Context()
	if list, err := s.List(ctx, "", "", 100); err != nil || len(list) != 0 {
		t.Errorf("List: got %v, %v, want no blobs (symlinks are not blobs)", list, err)
	}
	for _, key := range []string{"abs", "rel", "absdir/secret", "reldir/secret"} {
		if rc, _, err := s.Open(ctx, key, application.Whole); err == nil {
			rc.Close()
			t.Errorf("Open(%q) through a symlink out of the root: got nil error, want one", key)
		}
		if _, err := s.Stat(ctx, key); err == nil {
			t.Errorf("Stat(%q) through a symlink out of the root: got nil error, want one", key)
		}
	}
	for _, key := range []string{"absdir/new", "reldir/new", "abs", "rel"} {
		_, _ = s.Put(ctx, key, strings.NewReader("overwritten"), "")
	}
	for _, key := range []string{"absdir/secret", "reldir/secret", "abs", "rel"} {
		_ = s.Delete(ctx, key)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "secret" {
		t.Errorf("file outside the root: got %q, %v, want it untouched", b, err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("directory outside the root: got %d entries, want only the secret", len(entries))
	}
}

// TestFailedPutsLeaveNoTempFiles checks the temp area after each way a Put
// can fail, and after one that succeeds, and that a failed Put leaves no
// directory it made behind.
func TestFailedPutsLeaveNoTempFiles(t *testing.T) {
	s, dir := newTestStore(t)
	ctx := t.Context()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	errRead := errors.New("read failed")
	puts := []struct {
		name string
		ctx  context.Context
		key  string
		r    *failAfter
	}{
		{"reader fails", ctx, "a/b", &failAfter{n: 1 << 20, err: errRead}},
		{"reader fails deep", ctx, "o/accounting/receipt/r1/a.png/u1", &failAfter{n: 10, err: errRead}},
		{"context cancelled", cancelled, "a/c", &failAfter{n: 10}},
		{"hostile key", ctx, "../x", &failAfter{n: 10}},
		{"succeeds", ctx, "a/d", &failAfter{n: 10}},
	}
	for _, p := range puts {
		_, err := s.Put(p.ctx, p.key, p.r, "")
		if (err == nil) != (p.name == "succeeds") {
			t.Errorf("%s: Put: got error %v", p.name, err)
		}
		if entries, err := os.ReadDir(filepath.Join(dir, tmpDir)); err != nil || len(entries) != 0 {
			t.Errorf("%s: temp area: got %d entries, %v, want it empty", p.name, len(entries), err)
		}
		if p.name != "succeeds" { // nor the directories a failed Put made
			if entries, err := os.ReadDir(filepath.Join(dir, blobsDir)); err != nil || len(entries) != 0 {
				t.Errorf("%s: blobs: got %d entries, %v, want none", p.name, len(entries), err)
			}
		}
	}
}

// failAfter yields n zero bytes, then err (io.EOF when nil).
type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		if f.err == nil {
			return 0, io.EOF
		}
		return 0, f.err
	}
	n := min(len(p), f.n)
	clear(p[:n])
	f.n -= n
	return n, nil
}

// TestPermissions checks that blobs are 0o600 and directories 0o700, and
// that Delete prunes the directories it empties but never blobs/ itself.
func TestPermissions(t *testing.T) {
	s, dir := newTestStore(t)
	if _, err := s.Put(t.Context(), "org/sys/blob", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]fs.FileMode{
		".": 0o700 | fs.ModeDir, blobsDir: 0o700 | fs.ModeDir, tmpDir: 0o700 | fs.ModeDir,
		"blobs/org": 0o700 | fs.ModeDir, "blobs/org/sys": 0o700 | fs.ModeDir, "blobs/org/sys/blob%blob": 0o600,
	} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil || fi.Mode() != want {
			t.Errorf("mode of %s: got %v (%v), want %v", name, fi.Mode(), err, want)
		}
	}
	if err := s.Delete(t.Context(), "org/sys/blob"); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir(filepath.Join(dir, blobsDir)); err != nil || len(entries) != 0 {
		t.Errorf("blobs/ after deleting its only blob: got %d entries, %v, want empty and present", len(entries), err)
	}
}

// TestStaleTempFilesSwept: at start and on SweepTemp, a temp file that
// no process holds locked (its Put's process died, a moment ago or long
// ago) is removed; a locked one (a Put in progress, in this or another
// process) is kept.
func TestStaleTempFilesSwept(t *testing.T) {
	s, dir := newTestStore(t)
	s.Close()
	dead, fresh, live := filepath.Join(dir, tmpDir, "dead.part"), filepath.Join(dir, tmpDir, "fresh.part"),
		filepath.Join(dir, tmpDir, "live.part")
	for _, p := range []string{dead, fresh, live} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{dead, live} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// A separate open file description, as another process's Put holds.
	lf, err := os.OpenFile(live, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	s, err = New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{dead, fresh} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("temp file %s of a dead Put: got %v, want it removed at start", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("temp file of a live Put: got %v, want it kept", err)
	}
	if err := lf.Close(); err != nil { // the writer dies
		t.Fatal(err)
	}
	n, err := s.SweepTemp(t.Context())
	if err != nil || n != 1 {
		t.Errorf("SweepTemp after the writer died: got (%d, %v), want (1, nil)", n, err)
	}
	if _, err := os.Stat(live); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temp file of the dead writer: got %v, want it removed", err)
	}
}

// TestPutOutlivesSweepBeforeLock: a sweep that removes a Put's temp file
// in the moment between its creation and its lock does not break the Put
// (it starts over with a new temp file), and a sweep during the Put keeps
// its file.
func TestPutOutlivesSweepBeforeLock(t *testing.T) {
	s, dir := newTestStore(t)
	s.unnamed = false // the named temp files of a filesystem without O_TMPFILE
	swept := 0
	testHookTempCreated = func(name string) {
		if swept == 0 {
			n, err := s.SweepTemp(t.Context())
			if err != nil || n != 1 {
				t.Errorf("sweep before the lock: got (%d, %v), want the unlocked file removed", n, err)
			}
		}
		swept++
	}
	defer func() { testHookTempCreated = nil }()
	// Before it hands out its bytes the reader sweeps the temp area: the
	// running Put's locked file must survive it.
	r := &peekingReader{left: []byte("hello"), peek: func() {
		if n, err := s.SweepTemp(t.Context()); err != nil || n != 0 {
			t.Errorf("sweep during the Put: got (%d, %v), want its locked file kept", n, err)
		}
	}}
	info, err := s.Put(t.Context(), "org-1/workspace/doc/d1/a.txt/u1", r, "text/plain")
	if err != nil || info.Size != 5 {
		t.Fatalf("Put after its first temp file was swept: got %+v, %v", info, err)
	}
	if swept != 2 {
		t.Errorf("temp files created: %d, want 2 (the swept one, then its replacement)", swept)
	}
	rc, _, err := s.Open(t.Context(), "org-1/workspace/doc/d1/a.txt/u1", application.Whole)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, err := io.ReadAll(rc); err != nil || string(b) != "hello" {
		t.Errorf("blob: got %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, tmpDir)); len(entries) != 0 {
		t.Errorf("temp area after the Put: %d entries, want none", len(entries))
	}
}

// TestForeignEntriesIgnored plants names this package never writes: none
// of them is a blob, and none breaks a listing.
func TestForeignEntriesIgnored(t *testing.T) {
	s, dir := newTestStore(t)
	if _, err := s.Put(t.Context(), "real/blob", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(dir, blobsDir)
	for _, d := range []string{"dir%blob", "bad%zz", "real/sub%blob"} {
		if err := os.MkdirAll(filepath.Join(blobs, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{".DS_Store", "no-suffix", "bad%zz/x%blob", "real/%blob", "real/a%2z%blob"} {
		if err := os.WriteFile(filepath.Join(blobs, f), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"dir", "real/sub"} {
		if _, err := s.Stat(t.Context(), key); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Stat(%q) of a directory named like a blob: got %v, want %v", key, err, domain.ErrNotFound)
		}
		if _, _, err := s.Open(t.Context(), key, application.Whole); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Open(%q) of a directory named like a blob: got %v, want %v", key, err, domain.ErrNotFound)
		}
	}
	list, err := s.List(t.Context(), "", "", 100)
	if err != nil || len(list) != 1 || list[0].Key != "real/blob" {
		t.Errorf("List: got %v, %v, want only real/blob", list, err)
	}
}

// TestFullDiskIsInsufficientStorage checks that a full filesystem or an
// exhausted quota is the one full-disk error (507 insufficient_storage),
// not a store that is down.
func TestFullDiskIsInsufficientStorage(t *testing.T) {
	t.Parallel()
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT} {
		for _, op := range []string{"put", "receive part", "complete multipart", "delete"} {
			err := fsError(op, "a/b", &fs.PathError{Op: "write", Path: "tmp/x.part", Err: errno})
			var de *domain.Error
			if !errors.Is(err, domain.ErrUnavailable) || !errors.As(err, &de) || de.Code != application.CodeInsufficientStorage {
				t.Errorf("%s, %v: got %v, want %s", op, errno, err, application.CodeInsufficientStorage)
			}
			if !errors.Is(err, errno) {
				t.Errorf("%s, %v: got %v, want it to keep the cause", op, errno, err)
			}
		}
	}
}

func TestFreeSpaceCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := FreeSpaceCheck(dir, 0)(t.Context()); err != nil {
		t.Errorf("floor 0: got %v, want nil", err)
	}
	err := FreeSpaceCheck(dir, 1<<30)(t.Context()) // 1 PiB: above any test machine's free space
	var de *domain.Error
	if !errors.Is(err, domain.ErrUnavailable) || !errors.As(err, &de) || de.Code != application.CodeInsufficientStorage ||
		!strings.Contains(de.Message, "below the 1073741824 MiB floor") {
		t.Errorf("floor 1 PiB: got %v, want insufficient_storage naming the floor", err)
	}
	if err := FreeSpaceCheck(filepath.Join(dir, "missing"), 0)(t.Context()); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("missing dir: got %v, want unavailable", err)
	}
}
