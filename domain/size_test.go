package domain_test

import (
	"testing"

	"storagegw/domain"
)

func TestFormatSize(t *testing.T) {
	t.Parallel()
	const kib, mib, gib = 1 << 10, 1 << 20, 1 << 30
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"},
		{1, "1 byte"},
		{1023, "1023 bytes"},
		{kib, "1 KiB"},
		{8 * kib, "8 KiB"},
		{64 * kib, "64 KiB"},
		{25 * mib, "25 MiB"},
		{20 * mib, "20 MiB"},
		{512 * mib, "512 MiB"},
		{5 * gib, "5 GiB"},
		{gib + gib/2, "1.5 GiB"},
		{gib + gib/4, "1.25 GiB"},
		{mib + mib/10*1, "1.09 MiB (1153433 bytes)"},
		{1000000, "976.56 KiB (1000000 bytes)"},
		{100*mib + 1, "100 MiB (104857601 bytes)"},
		{10000 * 5 * gib, "48.82 TiB (53687091200000 bytes)"},
		{1 << 62, "4194304 TiB"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := domain.FormatSize(tc.n); got != tc.want {
				t.Errorf("FormatSize(%d): got %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}
