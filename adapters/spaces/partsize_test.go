package spaces

import "testing"

// TestPartSizesReach5TiB: whatever the configured part size, 10,000 parts
// of partSizeOf hold at least S3's 5 TiB object limit, no part exceeds 5 GiB,
// and the first 1000 are the configured size (the memory a Put of a few
// GiB holds).
func TestPartSizesReach5TiB(t *testing.T) {
	t.Parallel()
	for _, base := range []int64{MinPartSize, DefaultPartSize, 64 << 20, MaxPartSize} {
		var total int64
		for n := 1; n <= maxParts; n++ {
			size := partSizeOf(base, n)
			if size > MaxPartSize || size < base {
				t.Fatalf("base %d: part %d is %d bytes, want %d to %d", base, n, size, base, int64(MaxPartSize))
			}
			if n <= 1000 && size != base {
				t.Fatalf("base %d: part %d is %d bytes, want the base", base, n, size)
			}
			total += size
		}
		if total < 5<<40 {
			t.Errorf("base %d: 10,000 parts hold %d bytes, want at least 5 TiB", base, total)
		}
	}
}
