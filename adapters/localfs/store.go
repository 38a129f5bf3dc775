// Package localfs provides a BlobStore that keeps blobs as files under a
// root directory, and a URL signer for the URLs the service serves itself,
// whose fields travel sealed (AES-256-GCM), never in clear.
//
// It is the development default. It does not encrypt at rest, and it
// assumes a case-sensitive filesystem that keeps names byte for byte
// (Linux; not the macOS or Windows defaults) whose names may be 255 bytes.
package localfs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"storagegw/application"
)

// Store is an application.BlobStore on a local directory. All access goes
// through an os.Root, so neither keys nor symlinks planted in the
// directory can reach outside it. Several processes may share a root.
type Store struct {
	root *os.Root
	// unnamed is whether the filesystem gives Put unnamed files
	// (O_TMPFILE) that it can link into place (probed by New).
	unnamed bool
}

var (
	_ application.BlobStore   = (*Store)(nil)
	_ application.TempSweeper = (*Store)(nil)
)

// New opens the store under dir, creating it (0o700) if needed. Close it
// when done.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fsError("open", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fsError("open", dir, err)
	}
	for _, sub := range []string{blobsDir, tmpDir} {
		if err := root.MkdirAll(sub, 0o700); err != nil {
			root.Close()
			return nil, fsError("open", dir, err)
		}
	}
	s := &Store{root: root}
	s.unnamed = s.probeUnnamed()
	_, _ = s.SweepTemp(context.Background()) // best effort; the clean-up job sweeps again
	return s, nil
}

// Close releases the root directory.
func (s *Store) Close() error { return s.root.Close() }

// Put writes r to a file that is not yet in the blob's place, syncs it,
// puts it there atomically and syncs the directory, so the blob is
// replaced atomically and durably. A new blob's file is written unnamed in
// its own directory and linked into place (putUnnamed); a replacement, and
// every Put on a filesystem without unnamed files, goes through a named
// file of the temp area that is renamed over the blob (putNamed). Any
// failure leaves nothing behind. r's error is wrapped as it is.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, _ string) (application.BlobInfo, error) {
	name, err := blobPath(key)
	if err != nil {
		return application.BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return application.BlobInfo{}, fsError("put", key, err)
	}
	if s.unnamed {
		info, err := s.putUnnamed(ctx, key, name, r)
		if !errors.Is(err, errUnnamedUnsupported) { // that one comes before any byte is read
			return info, err
		}
	}
	return s.putNamed(ctx, key, name, r)
}

// errUnnamedUnsupported is a filesystem's refusal of unnamed files.
var errUnnamedUnsupported = errors.New("unnamed files unsupported")

// putUnnamed writes r to an unnamed file in name's directory and links
// it there (see Store.place). Nothing names the file before it is whole
// and synced, and the kernel frees it if the process dies before: there is
// no temp file to sweep, and new blobs of different directories share no
// directory while they are written, where every named temp file shares
// the temp area's (the contention that made small uploads slow).
func (s *Store) putUnnamed(ctx context.Context, key, name string, r io.Reader) (application.BlobInfo, error) {
	d, f, err := s.createUnnamed(filepath.Dir(name))
	if errors.Is(err, errUnnamedUnsupported) {
		return application.BlobInfo{}, err
	}
	if err != nil {
		return application.BlobInfo{}, fsError("put", key, err)
	}
	defer func() { d.Close() }() // place may reopen d
	defer f.Close()
	linked := false
	defer func() {
		if !linked { // the directories this Put may have made hold nothing of it
			s.prune(filepath.Dir(name))
		}
	}()
	_, readErr, err := copyChunks(ctx, f, r)
	if readErr != nil {
		return application.BlobInfo{}, fmt.Errorf("localfs: put %q: %w", key, readErr)
	}
	var fi fs.FileInfo
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		fi, err = f.Stat()
	}
	if err == nil {
		d, linked, err = s.place(f, d, name)
	}
	if err != nil {
		return application.BlobInfo{}, fsError("put", key, err)
	}
	return infoOf(key, fi), nil
}

// place links the unnamed, synced file f at name, d being name's open
// directory, and syncs the directory; it returns the directory it ended
// in and whether f got a name. When a concurrent Delete pruned the
// directory meanwhile it makes it again. When name exists, the link is
// refused (a link never replaces), so f is linked into the temp area,
// locked as a named Put's file is, and renamed over name (install).
func (s *Store) place(f, d *os.File, name string) (_ *os.File, linked bool, _ error) {
	dir, base := filepath.Dir(name), filepath.Base(name)
	for attempt := 1; ; attempt++ {
		err := linkUnnamed(f, d, base)
		switch {
		case err == nil:
			return d, true, syncOpenDir(d)
		case errors.Is(err, fs.ErrExist):
			return d, true, s.replace(f, name)
		case !errors.Is(err, fs.ErrNotExist) || attempt == 10:
			return d, false, err
		}
		d.Close()
		if d, err = s.openDirAll(dir); err != nil {
			return d, false, err
		}
	}
}

// replace puts the unnamed file f over the existing blob at name: it
// locks f, links it into the temp area under a new name (the lock keeps a
// sweep off it) and installs it.
func (s *Store) replace(f *os.File, name string) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	t, err := s.root.Open(tmpDir)
	if err != nil {
		return err
	}
	defer t.Close()
	tmp := rand.Text() + ".part"
	if err := linkUnnamed(f, t, tmp); err != nil {
		return err
	}
	if err := s.install(filepath.Join(tmpDir, tmp), name); err != nil {
		_ = s.root.Remove(filepath.Join(tmpDir, tmp)) // best effort; the sweep takes it otherwise
		return err
	}
	return nil
}

// createUnnamed opens dir, creating it when missing, and an unnamed file
// in it. A concurrent Delete may prune dir before the file is made
// (which a removed directory refuses); then it tries again.
func (s *Store) createUnnamed(dir string) (d, f *os.File, err error) {
	for attempt := 1; ; attempt++ {
		if d, err = s.openDirAll(dir); err != nil {
			return nil, nil, err
		}
		if f, err = openUnnamed(d); err == nil {
			return d, f, nil
		}
		removed := removedDir(d)
		d.Close()
		if !removed || attempt == 10 {
			return nil, nil, err
		}
	}
}

// removedDir is whether the open directory d was removed.
func removedDir(d *os.File) bool {
	fi, err := d.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink == 0
}

// openDirAll opens dir, creating it and its parents when missing. A
// concurrent Delete may prune what MkdirAll made before it is opened;
// then it tries again.
func (s *Store) openDirAll(dir string) (*os.File, error) {
	for attempt := 1; ; attempt++ {
		d, err := s.root.Open(dir)
		if err == nil {
			return d, nil
		}
		if attempt == 10 || !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err := s.root.MkdirAll(dir, 0o700); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
}

// probeUnnamed is whether the filesystem of the root gives unnamed files
// that can be linked: it makes one in the temp area (swept like any).
func (s *Store) probeUnnamed() bool {
	t, err := s.root.Open(tmpDir)
	if err != nil {
		return false
	}
	defer t.Close()
	f, err := openUnnamed(t)
	if err != nil {
		return false
	}
	defer f.Close()
	probe := rand.Text() + ".probe"
	if linkUnnamed(f, t, probe) != nil {
		return false
	}
	return s.root.Remove(filepath.Join(tmpDir, probe)) == nil
}

// putNamed writes r to a locked temp file of the temp area, syncs it,
// renames it over the blob's file and syncs the directory.
func (s *Store) putNamed(ctx context.Context, key, name string, r io.Reader) (application.BlobInfo, error) {
	f, tmp, err := s.createTemp()
	if err != nil {
		return application.BlobInfo{}, fsError("put", key, err)
	}
	_, readErr, err := copyChunks(ctx, f, r)
	var fi fs.FileInfo
	if err == nil && readErr == nil {
		if err = f.Sync(); err == nil {
			fi, err = f.Stat()
		}
	}
	// Installed while still locked: a sweep never takes a finished file.
	if err == nil && readErr == nil {
		err = s.install(tmp, name)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || readErr != nil {
		_ = s.root.Remove(tmp) // best effort; gone already if install renamed it
		if readErr != nil {
			return application.BlobInfo{}, fmt.Errorf("localfs: put %q: %w", key, readErr)
		}
		return application.BlobInfo{}, fsError("put", key, err)
	}
	return infoOf(key, fi), nil
}

// testHookTempCreated, when set by a test, runs between a Put's creating
// its temp file and locking it.
var testHookTempCreated func(name string)

// createTemp creates a Put's temp file and locks it. The lock marks it as
// a live Put's for its whole life in the temp area: the kernel drops it
// when the process dies, however it dies, and SweepTemp then removes the
// file. A sweep may remove the file in the moment between its creation
// and the lock; the Put then sees that its file is no longer the one at
// the name and starts over with a new one.
func (s *Store) createTemp() (*os.File, string, error) {
	for attempt := 1; ; attempt++ {
		tmp := filepath.Join(tmpDir, rand.Text()+".part")
		f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, "", err
		}
		if testHookTempCreated != nil {
			testHookTempCreated(tmp)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err == nil {
			var mine, named fs.FileInfo
			if mine, err = f.Stat(); err == nil {
				named, err = s.root.Stat(tmp)
			}
			if err == nil && os.SameFile(mine, named) {
				return f, tmp, nil
			}
		}
		f.Close()
		if attempt == 10 || err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("temp file %s: %w", tmp, errors.Join(err, errors.New("removed before it was locked")))
		}
	}
}

// copyBuffer is the size of the writes of Put and of the buffered copies
// of Open's bodies: large enough that the file system, not the system
// calls, sets the pace.
const copyBuffer = 1 << 20

// bufs recycles Put's buffers.
var bufs = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

// copyChunks copies r to w, checking ctx between chunks. It fills its
// buffer before each write, however little each Read returns (a multipart
// form's part returns a few KiB at a time), so the file gets few, large
// writes. It returns r's own error apart, as readErr, so Put can wrap it
// without translating it.
func copyChunks(ctx context.Context, w io.Writer, r io.Reader) (n int64, readErr, err error) {
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	buf := *bp
	for {
		if err := ctx.Err(); err != nil {
			return n, nil, err
		}
		m, rerr := fill(r, buf)
		if m > 0 {
			wn, werr := w.Write(buf[:m])
			n += int64(wn)
			if werr != nil {
				return n, nil, werr
			}
		}
		if rerr == io.EOF {
			return n, nil, nil
		}
		if rerr != nil {
			return n, rerr, nil
		}
	}
}

// fill reads into buf until it is full or r fails, and returns r's error
// as it is: unlike io.ReadFull, which turns a short read before io.EOF
// into io.ErrUnexpectedEOF, so that a reader's own io.ErrUnexpectedEOF
// (a request body cut before its Content-Length) could not be told from
// the end of the data and a truncated body was stored as whole.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// install renames tmp to name, creating name's directory. A concurrent
// Delete may prune that directory between the two steps (ENOENT) or while
// MkdirAll checks what it just made (EEXIST); then it tries again.
func (s *Store) install(tmp, name string) error {
	dir := filepath.Dir(name)
	for attempt := 1; ; attempt++ {
		err := s.root.MkdirAll(dir, 0o700)
		if err == nil {
			err = s.root.Rename(tmp, name)
		}
		if err == nil {
			return s.syncDir(dir)
		}
		if attempt == 10 || !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
}

// syncDir makes a rename in dir durable. Filesystems that cannot sync a
// directory are tolerated, and so is a concurrent Delete of the blob that
// removed dir already.
func (s *Store) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return tolerateDirSync(err)
	}
	err = syncOpenDir(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncOpenDir syncs the open directory d, as syncDir.
func syncOpenDir(d *os.File) error { return tolerateDirSync(d.Sync()) }

func tolerateDirSync(err error) error {
	if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL) || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// SweepTemp removes the temp files of Puts whose process died: files of
// the temp area that no process holds locked. Several processes may share
// the root: a live Put's file is locked and kept (see createTemp). It
// implements application.TempSweeper.
func (s *Store) SweepTemp(ctx context.Context) (int, error) {
	d, err := s.root.Open(tmpDir)
	if err != nil {
		return 0, fsError("sweep", tmpDir, err)
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return 0, fsError("sweep", tmpDir, err)
	}
	n := 0
	for _, e := range entries {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if !e.Type().IsRegular() {
			continue
		}
		if s.removeUnlocked(filepath.Join(tmpDir, e.Name())) {
			n++
		}
	}
	return n, nil
}

// removeUnlocked removes name unless a live Put holds its lock.
func (s *Store) removeUnlocked(name string) bool {
	f, err := s.root.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // a live Put's
	}
	return s.root.Remove(name) == nil
}
