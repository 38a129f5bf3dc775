package domain_test

import (
	"testing"

	"storagegw/domain"
)

const mib = 1 << 20

func TestPlanParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		size, preferred int64
		wantSize        int64
		wantCount       int
		kind            error
		code            string
	}{
		{name: "one byte", size: 1, preferred: 16 * mib, wantSize: 16 * mib, wantCount: 1},
		{name: "exactly one part", size: 16 * mib, preferred: 16 * mib, wantSize: 16 * mib, wantCount: 1},
		{name: "one byte more", size: 16*mib + 1, preferred: 16 * mib, wantSize: 16 * mib, wantCount: 2},
		{name: "small preference raised to 5 MiB", size: 11 * mib, preferred: 1, wantSize: 5 * mib, wantCount: 3},
		{name: "zero preference", size: 11 * mib, preferred: 0, wantSize: 5 * mib, wantCount: 3},
		{name: "huge preference cut to 5 GiB", size: 6 << 30, preferred: 10 << 30, wantSize: 5 << 30, wantCount: 2},
		{name: "10,000 parts fit", size: 10000 * 16 * mib, preferred: 16 * mib, wantSize: 16 * mib, wantCount: 10000},
		{name: "grows past 10,000 parts in whole MiB", size: 10000*16*mib + 1, preferred: 16 * mib, wantSize: 17 * mib, wantCount: 9412},
		{name: "largest object", size: 10000 * (5 << 30), preferred: 16 * mib, wantSize: 5 << 30, wantCount: 10000},
		{name: "too large for any plan", size: 10000*(5<<30) + 1, preferred: 16 * mib, kind: domain.ErrTooLarge, code: "file_too_large"},
		{name: "empty", size: 0, preferred: 16 * mib, kind: domain.ErrInvalid, code: "invalid_size"},
		{name: "negative", size: -1, preferred: 16 * mib, kind: domain.ErrInvalid, code: "invalid_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := domain.PlanParts(tt.size, tt.preferred)
			checkErr(t, err, tt.kind, tt.code)
			if tt.kind != nil {
				return
			}
			if p.Size != tt.wantSize || p.Count != tt.wantCount {
				t.Fatalf("got %d parts of %d bytes, want %d of %d", p.Count, p.Size, tt.wantCount, tt.wantSize)
			}
			var total int64
			for n := 1; n <= p.Count; n++ {
				total += p.SizeOf(n)
				if s := p.SizeOf(n); s < 1 || s > p.Size {
					t.Fatalf("part %d: got %d bytes, want 1 to %d", n, s, p.Size)
				}
			}
			if total != tt.size {
				t.Errorf("parts add up to %d bytes, want %d", total, tt.size)
			}
			if p.SizeOf(0) != 0 || p.SizeOf(p.Count+1) != 0 {
				t.Error("SizeOf outside the plan: want 0")
			}
		})
	}
}

func TestCheckParts(t *testing.T) {
	t.Parallel()
	plan, err := domain.PlanParts(12*mib, 5*mib) // 5, 5, 2 MiB
	if err != nil {
		t.Fatal(err)
	}
	stored := []domain.StoredPart{{Number: 3, ETag: `"cc"`, Size: 2 * mib},
		{Number: 1, ETag: `"AA"`, Size: 5 * mib}, {Number: 2, ETag: `"bb"`, Size: 5 * mib}}
	ok := []domain.PartRef{{Number: 1, ETag: "aa"}, {Number: 2, ETag: `W/"bb"`}, {Number: 3, ETag: ` "cc" `}}
	with := func(i int, r domain.PartRef) []domain.PartRef {
		out := append([]domain.PartRef(nil), ok...)
		out[i] = r
		return out
	}
	tests := []struct {
		name   string
		client []domain.PartRef
		stored []domain.StoredPart
		code   string
	}{
		{name: "every part, ETags in any quoting and case", client: ok, stored: stored},
		{name: "too few", client: ok[:2], stored: stored, code: "parts_incomplete"},
		{name: "too many", client: append(append([]domain.PartRef(nil), ok...), domain.PartRef{Number: 4, ETag: "dd"}), stored: stored, code: "parts_incomplete"},
		{name: "out of order", client: []domain.PartRef{ok[1], ok[0], ok[2]}, stored: stored, code: "parts_incomplete"},
		{name: "repeated", client: with(1, ok[0]), stored: stored, code: "parts_incomplete"},
		{name: "not uploaded", client: ok, stored: stored[:2], code: "part_missing"},
		{name: "wrong ETag", client: with(1, domain.PartRef{Number: 2, ETag: "bx"}), stored: stored, code: "part_etag_mismatch"},
		{name: "empty ETag", client: with(0, domain.PartRef{Number: 1}), stored: stored, code: "part_etag_mismatch"},
		{name: "short part", client: ok, stored: []domain.StoredPart{stored[0], {Number: 1, ETag: "aa", Size: 5*mib - 1}, stored[2]}, code: "part_size_mismatch"},
		{name: "long last part", client: ok, stored: []domain.StoredPart{{Number: 3, ETag: "cc", Size: 2*mib + 1}, stored[1], stored[2]}, code: "part_size_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := plan.CheckParts(tt.client, tt.stored)
			if tt.code == "" {
				checkErr(t, err, nil, "")
				return
			}
			checkErr(t, err, domain.ErrInvalid, tt.code)
		})
	}
}

func TestNormalizeETag(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`"ABC"`: "abc", `W/"abc"`: "abc", " abc ": "abc", "": "", `""`: ""} {
		if got := domain.NormalizeETag(in); got != want {
			t.Errorf("NormalizeETag(%q): got %q, want %q", in, got, want)
		}
	}
}
