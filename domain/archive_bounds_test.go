package domain

import (
	"bytes"
	"io"
	"runtime"
	"sync/atomic"
	"testing"

	"storagegw/domain/ziptest"
)

func TestZipArchiveCheckLargeDirectories(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b    func() []byte
		want string // "" when accepted, else part of the not_a_zip message
	}{
		{"100,000 entries (zip64)", func() []byte { return ziptest.Many(100_000) }, ""},
		{"100,001 entries (zip64)", func() []byte { return ziptest.Many(100_001) }, "more than 100000 entries"},
		{"65,537 entries declaring 1 (ziptest.Aliasing)", ziptest.Aliasing, "does not hold the entries"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.b()
			err := appArchive.Check(bytes.NewReader(b), int64(len(b)))
			if tc.want == "" {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			checkNotZip(t, err, tc.want)
		})
	}
}

// TestZipArchiveCheckMemory checks that Check allocates a small constant
// whatever the number of entries. It does not run in parallel, so that
// TotalAlloc counts Check alone.
func TestZipArchiveCheckMemory(t *testing.T) {
	const bound = 4 << 20
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"100,000 entries", ziptest.Many(100_000)},
		{"aliasing", ziptest.Aliasing()},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		appArchive.Check(bytes.NewReader(tc.b), int64(len(tc.b)))
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > bound {
			t.Errorf("%s: got %d bytes allocated, want at most %d", tc.name, got, bound)
		} else {
			t.Logf("%s (%d bytes): %d bytes allocated", tc.name, len(tc.b), got)
		}
	}
}

// countingReaderAt counts the ReadAt calls a check makes: on the S3
// store each is a ranged GET.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.n.Add(1)
	return c.r.ReadAt(p, off)
}

func TestZipArchiveCheckReadAts(t *testing.T) {
	t.Parallel()
	large := ziptest.Many(100_000)
	tests := []struct {
		name string
		b    []byte
		max  int64
	}{
		{"small archive: one read of the tail", ziptest.Of("a.txt", "b.txt"), 1},
		// the tail, the directory in buffer-sized chunks (one more for
		// the leftovers carried between them), the first local header
		{"large directory", large, int64(directorySize(t, large))/dirBufferLen + 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &countingReaderAt{r: bytes.NewReader(tc.b)}
			if err := appArchive.Check(r, int64(len(tc.b))); err != nil {
				t.Fatal(err)
			}
			if got := r.n.Load(); got > tc.max {
				t.Errorf("got %d ReadAt calls, want at most %d", got, tc.max)
			} else {
				t.Logf("%d ReadAt calls (at most %d)", got, tc.max)
			}
		})
	}
}

func directorySize(t testing.TB, b []byte) uint64 {
	t.Helper()
	end, err := readAndFindEnd(b)
	if err != nil {
		t.Fatal(err)
	}
	return end.dirSize
}

func BenchmarkZipCheck(b *testing.B) {
	for _, bc := range []struct {
		name string
		b    []byte
	}{
		{"100k entries", ziptest.Many(100_000)},
		{"aliasing", ziptest.Aliasing()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.b)))
			for b.Loop() {
				appArchive.Check(bytes.NewReader(bc.b), int64(len(bc.b)))
			}
		})
	}
}
