package domain_test

import (
	"errors"
	"strings"
	"testing"

	"storagegw/domain"
)

func TestPlanProposedParts(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	tests := []struct {
		name          string
		file, propose int64
		wantCount     int
		wantLast      int64
		wantCode      string
	}{
		{"five MiB parts", 40 * mib, 5 * mib, 8, 5 * mib, ""},
		{"last part smaller", 40*mib + 1, 8 * mib, 6, 1, ""},
		{"one part larger than the file", 3 * mib, 16 * mib, 1, 3 * mib, ""},
		{"largest part", 6 << 30, domain.MaxPartBytes, 2, 1 << 30, ""},
		{"exactly 10,000 parts", 10000 * 5 * mib, 5 * mib, 10000, 5 * mib, ""},
		{"below 5 MiB", 40 * mib, 5*mib - 1, 0, 0, "invalid_part_size"},
		{"above 5 GiB", 40 * mib, domain.MaxPartBytes + 1, 0, 0, "invalid_part_size"},
		{"over 10,000 parts", 10000*5*mib + 1, 5 * mib, 0, 0, "invalid_part_size"},
		{"empty file", 0, 5 * mib, 0, 0, "invalid_size"},
		{"file no plan fits", int64(domain.MaxParts)*domain.MaxPartBytes + 1, domain.MaxPartBytes, 0, 0, "file_too_large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := domain.PlanProposedParts(tc.file, tc.propose)
			if tc.wantCode != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != tc.wantCode {
					t.Fatalf("PlanProposedParts(%d, %d): got (%+v, %v), want code %s", tc.file, tc.propose, plan, err, tc.wantCode)
				}
				return
			}
			if err != nil || plan.Size != tc.propose || plan.Count != tc.wantCount || plan.SizeOf(plan.Count) != tc.wantLast {
				t.Errorf("PlanProposedParts(%d, %d): got (%+v, last %d, %v), want %d parts of %d, last %d",
					tc.file, tc.propose, plan, plan.SizeOf(plan.Count), err, tc.wantCount, tc.propose, tc.wantLast)
			}
		})
	}
}

// TestPlanProposedPartsNamesTheRange checks that a refused size tells the
// client which sizes the file allows.
func TestPlanProposedPartsNamesTheRange(t *testing.T) {
	t.Parallel()
	_, err := domain.PlanProposedParts(100<<30, 5<<20)
	var de *domain.Error
	if !errors.As(err, &de) || !strings.Contains(de.Message, "from 10737419 to 5368709120 bytes") {
		t.Errorf("PlanProposedParts(100 GiB, 5 MiB): got %v, want a message naming 10737419 to 5368709120 bytes", err)
	}
}
