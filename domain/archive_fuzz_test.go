package domain

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"
)

// FuzzZipArchiveCheck checks that Check never panics, refuses only with a
// 415 not_a_zip, and accepts only what archive/zip can open too. Its seeds
// (testdata/fuzz/FuzzZipArchiveCheck) are small valid and hostile archives.
func FuzzZipArchiveCheck(f *testing.F) {
	tight := ZipArchive{MaxEntries: 3, MaxUncompressed: 1000}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, z := range []ZipArchive{*appArchive, tight} {
			err := z.Check(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				var de *Error
				if !errors.As(err, &de) || de.Code != "not_a_zip" || !errors.Is(err, ErrUnsupportedType) {
					t.Fatalf("got %v, want nil or 415 not_a_zip", err)
				}
				continue
			}
			if _, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil && !errors.Is(err, zip.ErrInsecurePath) {
				t.Fatalf("accepted an archive archive/zip refuses: %v", err)
			}
		}
	})
}
