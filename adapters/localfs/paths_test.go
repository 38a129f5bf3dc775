package localfs

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

func TestSegmentLength(t *testing.T) {
	s, _ := newTestStore(t)
	tests := []struct {
		seg     string
		wantErr bool
	}{
		{strings.Repeat("a", maxEscaped), false},
		{strings.Repeat("a", maxEscaped+1), true},
		{strings.Repeat("%", maxEscaped/3), false},
		{strings.Repeat("%", maxEscaped/3+1), true},
	}
	for _, tc := range tests {
		_, err := s.Put(t.Context(), "x/"+tc.seg, bytes.NewReader(nil), "")
		if tc.wantErr && !errors.Is(err, domain.ErrInvalid) || !tc.wantErr && err != nil {
			t.Errorf("Put of a %d-byte segment: got error %v, want error %t", len(tc.seg), err, tc.wantErr)
		}
	}
}

// FuzzBlobPath checks that every valid key (the checked store refuses the
// others) that blobPath accepts maps to a path inside blobs/ that decodes
// back to the key, and that no file name can be taken for a directory
// name.
func FuzzBlobPath(f *testing.F) {
	for _, k := range []string{"a", "a/b", "../x", "a/%blob", "x%blob/y", "%25/%", "a\\b", "é/日本"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if application.ValidateBlobKey(key) != nil {
			return
		}
		p, err := blobPath(key)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("blobPath(%q): got error %v, want one matching %v", key, err, domain.ErrInvalid)
			}
			return
		}
		if !filepath.IsLocal(p) || !strings.HasPrefix(p, blobsDir+string(filepath.Separator)) {
			t.Fatalf("blobPath(%q) = %q, want a path inside %s", key, p, blobsDir)
		}
		names := strings.Split(filepath.ToSlash(p), "/")[1:]
		var segs []string
		for i, name := range names {
			isDir := i < len(names)-1
			seg, ok := segmentOf(name, isDir)
			if _, other := segmentOf(name, !isDir); !ok || other {
				t.Fatalf("blobPath(%q): name %q decodes as (file %t, dir %t)", key, name, !isDir && ok, isDir && ok)
			}
			segs = append(segs, seg)
		}
		if got := strings.Join(segs, "/"); got != key {
			t.Fatalf("blobPath(%q) = %q, which decodes to %q", key, p, got)
		}
	})
}
