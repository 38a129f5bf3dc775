package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"

	"storagegw/application"
	"storagegw/domain"
)

// On-disk layout under the root directory:
//
//	blobs/  one file per blob: key "a/b/c" is blobs/a/b/c%blob
//	tmp/    files being written by Put, renamed into blobs/ when complete
//
// Each key segment is escaped ('%' becomes "%25") and blob files carry the
// "%blob" suffix, which no escaped segment can end with. So directory and
// file names never collide: "a/b" and "a/b/c" can both be blobs, and a key
// named like the temp area or the suffix is an ordinary key.
const (
	blobsDir   = "blobs"
	tmpDir     = "tmp"
	fileSuffix = "%blob"
	// maxEscaped keeps every name within the 255-byte NAME_MAX of common
	// filesystems, suffix included.
	maxEscaped = 255 - len(fileSuffix)
)

func escape(seg string) string    { return strings.ReplaceAll(seg, "%", "%25") }
func unescape(name string) string { return strings.ReplaceAll(name, "%25", "%") }

// blobPath returns the root-relative file of key, which follows
// application.ValidateBlobKey (the checked store saw to it), refusing with
// domain.ErrInvalid a key with a segment too long for the filesystem and
// (defence in depth, besides the os.Root) any path that would not stay
// inside blobs/.
func blobPath(key string) (string, error) {
	segs := strings.Split(key, "/")
	names := make([]string, 0, len(segs)+1)
	names = append(names, blobsDir)
	for _, seg := range segs {
		name := escape(seg)
		if len(name) > maxEscaped {
			return "", domain.Errorf(domain.ErrInvalid, "blob_key_unsupported",
				"Each segment of a blob key may be at most %d bytes on local disk.", maxEscaped)
		}
		names = append(names, name)
	}
	names[len(names)-1] += fileSuffix
	p := filepath.Join(names...)
	if !filepath.IsLocal(p) || filepath.Clean(p) != p || !strings.HasPrefix(p, blobsDir+string(filepath.Separator)) {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_blob_key", "The blob key does not map to a path inside the store.")
	}
	return p, nil
}

// dirPath returns the root-relative directory holding the keys that start
// with base, a prefix made of whole segments ("" or "a/b/"), and false when
// no key can live there (or, defence in depth, the directory would not be
// blobs/ or inside it).
func dirPath(base string) (string, bool) {
	p := blobsDir
	for seg := range strings.SplitSeq(strings.TrimSuffix(base, "/"), "/") {
		if seg == "" {
			continue
		}
		if len(escape(seg)) > maxEscaped {
			return "", false
		}
		p = filepath.Join(p, escape(seg))
	}
	return p, p == blobsDir || strings.HasPrefix(p, blobsDir+string(filepath.Separator))
}

// segmentOf decodes a directory entry back into a key segment. Only names
// this package writes decode; anything else (editor droppings, planted
// files) is not a blob.
func segmentOf(name string, isDir bool) (string, bool) {
	if !isDir {
		var ok bool
		if name, ok = strings.CutSuffix(name, fileSuffix); !ok {
			return "", false
		}
	}
	seg := unescape(name)
	if seg == "" || seg == "." || seg == ".." || escape(seg) != name {
		return "", false
	}
	return seg, true
}

// fsError is the one place filesystem errors become domain errors: a
// missing file is domain.ErrNotFound (except for put, where it means the
// store's own layout is damaged), a full filesystem or an exhausted quota
// (ENOSPC, EDQUOT) is application.InsufficientStorage (507
// insufficient_storage), anything else, context errors included,
// is application.StoreUnavailable, the same as the Spaces adapter's (503
// store_unavailable), also where no checked store is in front (Check).
func fsError(op, key string, err error) error {
	if op != "put" && errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("localfs: %s %q: %w: %w", op, key, domain.ErrNotFound, err)
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return application.InsufficientStorage(fmt.Errorf("localfs: %s %q: %w", op, key, err))
	}
	return application.StoreUnavailable(fmt.Errorf("localfs: %s %q: %w", op, key, err))
}
