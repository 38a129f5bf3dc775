package blobstoretest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

func testRoundTrip(t *testing.T, newStore NewStoreFunc) {
	s := newStore(t)
	tests := []struct {
		name string
		key  string
		data []byte
	}{
		{"empty", "rt/empty", []byte{}},
		{"one byte", "rt/one", []byte{0}},
		{"text", "rt/text.txt", []byte("hello, blob\n")},
		{"5 MiB streamed", "rt/big.bin", randomBytes(5<<20 + 13)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &chunkReader{r: bytes.NewReader(tc.data), n: 100_003}
			info, err := s.Put(t.Context(), tc.key, r, "application/octet-stream")
			if err != nil {
				t.Fatalf("Put: got error %v, want nil", err)
			}
			if info.Key != tc.key || info.Size != int64(len(tc.data)) {
				t.Errorf("Put: got info {%q, %d}, want {%q, %d}", info.Key, info.Size, tc.key, len(tc.data))
			}
			rc, oinfo, err := s.Open(t.Context(), tc.key, application.Whole)
			if err != nil {
				t.Fatalf("Open: got error %v, want nil", err)
			}
			defer rc.Close()
			h := sha256.New()
			if _, err := io.Copy(h, rc); err != nil {
				t.Fatalf("reading: got error %v, want nil", err)
			}
			if got, want := [32]byte(h.Sum(nil)), sha256.Sum256(tc.data); got != want {
				t.Errorf("content: got sha256 %x, want %x", got, want)
			}
			if oinfo.Key != tc.key || oinfo.Size != int64(len(tc.data)) {
				t.Errorf("Open: got info {%q, %d}, want {%q, %d}", oinfo.Key, oinfo.Size, tc.key, len(tc.data))
			}
		})
	}
}

func testStat(t *testing.T, newStore NewStoreFunc) {
	s := newStore(t)
	for _, size := range []int{0, 1, 1000} {
		key := fmt.Sprintf("stat/size-%d", size)
		mustPut(t, s, key, randomBytes(size))
		info, err := s.Stat(t.Context(), key)
		if err != nil {
			t.Fatalf("Stat(%q): got error %v, want nil", key, err)
		}
		if info.Key != key || info.Size != int64(size) {
			t.Errorf("Stat(%q): got {%q, %d}, want {%q, %d}", key, info.Key, info.Size, key, size)
		}
		if info.ModTime.IsZero() {
			t.Errorf("Stat(%q).ModTime: got zero, want the time of the Put", key)
		}
	}
	// Keys that are only prefixes of stored keys are not blobs.
	mustPut(t, s, "stat/dir/leaf", []byte("x"))
	for _, key := range []string{"stat/missing", "stat/dir", "stat/di", "stat/dir/leaf/below"} {
		_, err := s.Stat(t.Context(), key)
		wantErr(t, "Stat("+key+")", err, domain.ErrNotFound)
		_, _, err = s.Open(t.Context(), key, application.Whole)
		wantErr(t, "Open("+key+")", err, domain.ErrNotFound)
	}
}

func testDelete(t *testing.T, newStore NewStoreFunc) {
	t.Run("missing key is not an error", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if err := s.Delete(t.Context(), "del/never/stored"); err != nil {
			t.Errorf("Delete: got error %v, want nil", err)
		}
	})
	t.Run("twice", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustPut(t, s, "del/a/b/c", []byte("x"))
		for i := range 2 {
			if err := s.Delete(t.Context(), "del/a/b/c"); err != nil {
				t.Errorf("Delete #%d: got error %v, want nil", i+1, err)
			}
		}
		wantAbsent(t, s, "del/a/b/c")
		// The key can be written again where it was removed.
		mustPut(t, s, "del/a/b/c", []byte("again"))
		wantContent(t, s, "del/a/b/c", []byte("again"))
	})
	t.Run("leaves neighbours alone", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		keys := []string{"del/x", "del/x/y", "del/x/y/z", "del/xy", "del/x.y", "del/x0"}
		for _, k := range keys {
			mustPut(t, s, k, []byte(k))
		}
		for i, k := range keys {
			if err := s.Delete(t.Context(), k); err != nil {
				t.Fatalf("Delete(%q): got error %v, want nil", k, err)
			}
			wantAbsent(t, s, k)
			for _, other := range keys[i+1:] {
				wantContent(t, s, other, []byte(other))
			}
		}
	})
}
