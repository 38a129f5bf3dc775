package localfs

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"storagegw/application"
)

// List walks blobs/ depth first, visiting each directory's entries in the
// byte order of the keys they hold, so results come out sorted and the
// walk stops as soon as limit blobs are found. It starts at the directory
// of prefix's whole segments and skips subtrees that lie outside prefix or
// before startAfter. Symlinks and names this package did not write are
// ignored.
func (s *Store) List(ctx context.Context, prefix, startAfter string, limit int) ([]application.BlobInfo, error) {
	base := prefix[:strings.LastIndexByte(prefix, '/')+1]
	dir, ok := dirPath(base)
	if !ok {
		return nil, nil
	}
	w := &walk{s: s, ctx: ctx, prefix: prefix, startAfter: startAfter, limit: limit}
	if err := w.dir(dir, base); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fsError("list", prefix, err)
	}
	return w.out, nil
}

type walk struct {
	s                  *Store
	ctx                context.Context
	prefix, startAfter string
	limit              int
	out                []application.BlobInfo
}

// entry is a directory entry decoded: sortKey is the blob's key, or for a
// directory the "dir/" prefix every key beneath it starts with.
type entry struct {
	de      fs.DirEntry
	sortKey string
}

// dir lists directory p, whose keys all start with keyPrefix.
func (w *walk) dir(p, keyPrefix string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	f, err := w.s.root.Open(p)
	if err != nil {
		return err
	}
	des, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		if !de.IsDir() && !de.Type().IsRegular() {
			continue // symlinks, devices and the like are never blobs
		}
		if seg, ok := segmentOf(de.Name(), de.IsDir()); ok {
			e := entry{de: de, sortKey: keyPrefix + seg}
			if de.IsDir() {
				e.sortKey += "/"
			}
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.sortKey, b.sortKey) })

	for _, e := range entries {
		if len(w.out) >= w.limit || (e.sortKey > w.prefix && !strings.HasPrefix(e.sortKey, w.prefix)) {
			return nil // full, or past the prefix: so is everything after
		}
		if e.de.IsDir() {
			if w.skipDir(e.sortKey) {
				continue
			}
			err := w.dir(filepath.Join(p, e.de.Name()), e.sortKey)
			if err != nil && !errors.Is(err, fs.ErrNotExist) { // removed meanwhile
				return err
			}
			continue
		}
		if !strings.HasPrefix(e.sortKey, w.prefix) || e.sortKey <= w.startAfter {
			continue
		}
		fi, err := e.de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		w.out = append(w.out, infoOf(e.sortKey, fi))
	}
	return nil
}

// skipDir reports whether no key under dirKey ("a/b/") can be listed:
// the prefix excludes them all, or they all sort at or before startAfter.
// The walk starts at the directory of prefix's whole segments, so only
// prefix's last, partial segment is left to compare, and a directory
// holds keys with prefix exactly when dirKey itself starts with it.
func (w *walk) skipDir(dirKey string) bool {
	if !strings.HasPrefix(dirKey, w.prefix) {
		return true
	}
	return w.startAfter > dirKey && !strings.HasPrefix(w.startAfter, dirKey)
}
