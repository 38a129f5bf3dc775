package blobstoretest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"storagegw/application"
)

// listKeys are chosen so that byte order differs from a naive walk of a
// directory tree ("dir/b.c" < "dir/b/c" < "dir/b0"), keys are both blobs
// and prefixes of blobs, and prefixes can end mid-segment.
var listKeys = []string{
	"di", "dir", "dir-x", "dir.y/z", "dir/B", "dir/a", "dir/b", "dir/b.c", "dir/b/c", "dir/b/c/d",
	"dir/b0", "dir/ba", "dir/fi", "dir/fig/x", "dir/file1", "dir/file1/x", "dir/file10",
	"dir/~", "dir/é", "dir/日本", "dir2/fi", "e", "z/z/z/z",
}

// seedList stores every listKeys key with the key itself as content.
func seedList(t *testing.T, newStore NewStoreFunc) application.BlobStore {
	t.Helper()
	s := newStore(t)
	for _, k := range listKeys {
		mustPut(t, s, k, []byte(k))
	}
	return s
}

// model is what List must return: keys of listKeys with prefix, after
// startAfter, in byte order.
func model(prefix, startAfter string) []string {
	var want []string
	for _, k := range listKeys {
		if strings.HasPrefix(k, prefix) && k > startAfter {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	return want
}

func testListPrefix(t *testing.T, newStore NewStoreFunc) {
	s := seedList(t, newStore)
	for _, prefix := range []string{"", "d", "di", "dir", "dir/", "dir/b", "dir/b/", "dir/b/c", "dir/fi",
		"dir/file1", "dir/é", "dir/日", "z/z/", "nothing", "dir/nothing/"} {
		t.Run(fmt.Sprintf("prefix %q", prefix), func(t *testing.T) {
			t.Parallel()
			list, err := s.List(t.Context(), prefix, "", 1000)
			if err != nil {
				t.Fatalf("List: got error %v, want nil", err)
			}
			if got, want := keysOf(list), model(prefix, ""); !slices.Equal(got, want) {
				t.Errorf("List(%q): got %q, want %q", prefix, got, want)
			}
			for _, info := range list {
				if info.Size != int64(len(info.Key)) {
					t.Errorf("List(%q): %q has Size %d, want %d", prefix, info.Key, info.Size, len(info.Key))
				}
			}
		})
	}
}

func testListStartAfter(t *testing.T, newStore NewStoreFunc) {
	s := seedList(t, newStore)
	tests := []struct{ prefix, startAfter string }{
		{"", "dir/b"}, {"dir/", "dir/b"}, {"dir/", "dir/b/"}, {"dir/", "dir/b/c/d"},
		{"dir/", "dir/b.c"}, {"dir/", "a"}, {"dir/", "dir"}, {"dir/", "zzz"}, {"dir/", "dir/~"},
		{"dir/fi", "dir/fi"}, {"", "dir/日本"}, {"", "\U0010ffff"}, {"z/", "z/z/z/z"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("prefix %q after %q", tc.prefix, tc.startAfter), func(t *testing.T) {
			t.Parallel()
			list, err := s.List(t.Context(), tc.prefix, tc.startAfter, 1000)
			if err != nil {
				t.Fatalf("List: got error %v, want nil", err)
			}
			if got, want := keysOf(list), model(tc.prefix, tc.startAfter); !slices.Equal(got, want) {
				t.Errorf("List(%q, %q): got %q, want %q", tc.prefix, tc.startAfter, got, want)
			}
		})
	}
}

func testListPagination(t *testing.T, newStore NewStoreFunc) {
	s := seedList(t, newStore)
	for _, prefix := range []string{"", "dir/", "dir/b"} {
		for _, limit := range []int{1, 2, 3, 7, len(model(prefix, "")), 1000} {
			t.Run(fmt.Sprintf("prefix %q limit %d", prefix, limit), func(t *testing.T) {
				t.Parallel()
				if got, want := listPages(t, s, prefix, limit), model(prefix, ""); !slices.Equal(got, want) {
					t.Errorf("pages of List(%q, limit %d): got %q, want %q", prefix, limit, got, want)
				}
			})
		}
	}
	t.Run("empty store", func(t *testing.T) {
		t.Parallel()
		list, err := newStore(t).List(t.Context(), "", "", 10)
		if err != nil || len(list) != 0 {
			t.Errorf("List of an empty store: got %v, %v, want no blobs and nil", list, err)
		}
	})
}

// listPages lists prefix page by page, following the contract: a page
// shorter than limit ends the listing.
func listPages(t *testing.T, s application.BlobStore, prefix string, limit int) []string {
	t.Helper()
	var all []string
	startAfter := ""
	for range len(listKeys) + 2 {
		page, err := s.List(t.Context(), prefix, startAfter, limit)
		if err != nil {
			t.Fatalf("List(%q, %q, %d): got error %v, want nil", prefix, startAfter, limit, err)
		}
		if len(page) > limit {
			t.Fatalf("List(%q, %q, %d): got %d blobs, want at most %d", prefix, startAfter, limit, len(page), limit)
		}
		all = append(all, keysOf(page)...)
		if len(page) < limit {
			return all
		}
		startAfter = page[len(page)-1].Key
	}
	t.Fatalf("List(%q, limit %d) never returned a short page", prefix, limit)
	return nil
}

// wantListed checks that prefix lists exactly want, in order.
func wantListed(t *testing.T, s application.BlobStore, prefix string, want []string) {
	t.Helper()
	list, err := s.List(t.Context(), prefix, "", 1000)
	if err != nil {
		t.Fatalf("List(%q): got error %v, want nil", prefix, err)
	}
	if got := keysOf(list); !slices.Equal(got, want) {
		t.Errorf("List(%q): got %q, want %q", prefix, got, want)
	}
}

func keysOf(list []application.BlobInfo) []string {
	keys := make([]string, 0, len(list))
	for _, info := range list {
		keys = append(keys, info.Key)
	}
	return keys
}
