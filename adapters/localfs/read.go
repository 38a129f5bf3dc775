package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"storagegw/application"
)

// Open returns rng of key, read straight from the blob's file.
func (s *Store) Open(ctx context.Context, key string, rng application.Range) (io.ReadCloser, application.BlobInfo, error) {
	name, err := blobPath(key)
	if err != nil {
		return nil, application.BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, application.BlobInfo{}, fsError("open", key, err)
	}
	f, err := s.root.Open(name)
	if err != nil {
		return nil, application.BlobInfo{}, fsError("open", key, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, application.BlobInfo{}, fsError("open", key, err)
	}
	off, n, err := rng.Resolve(fi.Size())
	if err != nil {
		f.Close()
		return nil, application.BlobInfo{}, fmt.Errorf("localfs: open %q: %w", key, err)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return nil, application.BlobInfo{}, fsError("open", key, err)
	}
	return &fileBody{f: f, lr: io.LimitedReader{R: f, N: n}}, infoOf(key, fi), nil
}

// fileBody is a range of an open blob file, from the file's offset. Its
// WriteTo hands the file itself, limited to the range, to a writer that
// can take it: an HTTP response over TCP then sends it with sendfile(2),
// without copying the bytes through user space (as http.ServeContent
// does with an *os.File).
type fileBody struct {
	f  *os.File
	lr io.LimitedReader // of f
}

func (b *fileBody) Read(p []byte) (int, error) { return b.lr.Read(p) }

func (b *fileBody) WriteTo(w io.Writer) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(&b.lr)
	}
	return io.CopyBuffer(w, struct{ io.Reader }{&b.lr}, make([]byte, copyBuffer))
}

func (b *fileBody) Close() error { return b.f.Close() }

// Stat describes key.
func (s *Store) Stat(ctx context.Context, key string) (application.BlobInfo, error) {
	name, err := blobPath(key)
	if err != nil {
		return application.BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return application.BlobInfo{}, fsError("stat", key, err)
	}
	fi, err := s.root.Stat(name)
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		return application.BlobInfo{}, fsError("stat", key, err)
	}
	return infoOf(key, fi), nil
}

// Delete removes key, then the directories it leaves empty (best effort,
// never blobs/ itself). A missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := blobPath(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fsError("delete", key, err)
	}
	if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fsError("delete", key, err)
	}
	s.prune(filepath.Dir(name))
	return nil
}

// prune removes dir and then its parents while they are empty, never
// blobs/ itself (best effort). Removing a directory fails while it holds
// anything, so this stops at the first directory still in use, even one a
// concurrent Put just made; a Put that had opened a directory pruned here
// makes it again (createUnnamed, place, install).
func (s *Store) prune(dir string) {
	for ; dir != blobsDir && filepath.IsLocal(dir); dir = filepath.Dir(dir) {
		if s.root.Remove(dir) != nil {
			break
		}
	}
}

func infoOf(key string, fi os.FileInfo) application.BlobInfo {
	return application.BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}
}
