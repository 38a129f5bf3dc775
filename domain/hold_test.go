package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

func TestHoldScopeCovers(t *testing.T) {
	t.Parallel()
	file := domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/a.pdf")
	sibling := domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/b.pdf")
	otherObject := domain.MustParseStoragePath("org-1/accounting/invoice/inv-420/a.pdf")
	otherOrg := domain.MustParseStoragePath("org-2/accounting/invoice/inv-42/a.pdf")
	object, err := domain.ParseObjectHoldScope("org-1", "accounting/invoice/inv-42/")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		scope domain.HoldScope
		path  domain.StoragePath
		want  bool
	}{
		{"file holds itself", domain.FileHoldScope(file), file, true},
		{"file does not hold a sibling", domain.FileHoldScope(file), sibling, false},
		{"file does not hold another org's", domain.FileHoldScope(file), otherOrg, false},
		{"object holds its file", object, file, true},
		{"object holds a later sibling", object, sibling, true},
		{"object is not a string prefix of a longer id", object, otherObject, false},
		{"object does not hold another org's", object, otherOrg, false},
		{"zero scope holds nothing", domain.HoldScope{}, file, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.scope.Covers(c.path); got != c.want {
				t.Errorf("Covers(%s) = %v, want %v", c.path, got, c.want)
			}
		})
	}
	if got, want := object.Relative(), "accounting/invoice/inv-42/"; got != want {
		t.Errorf("Relative() = %q, want %q", got, want)
	}
}

func TestParseObjectHoldScopeRefuses(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{
		"", "accounting/", "accounting/invoice/", "accounting/invoice/inv-42",
		"accounting/invoice/inv-42/a.pdf", "nosuch/invoice/inv-42/", "accounting/nosuch/inv-42/",
		"accounting/invoice/../", "org-1/accounting/invoice/inv-42/",
	} {
		if _, err := domain.ParseObjectHoldScope("org-1", prefix); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("ParseObjectHoldScope(%q) = %v, want ErrInvalid", prefix, err)
		}
	}
}

func TestNewLegalHoldChecksTheReason(t *testing.T) {
	t.Parallel()
	scope := domain.FileHoldScope(domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/a.pdf"))
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for name, reason := range map[string]string{
		"blank": "  ", "control character": "case\x00 12", "too long": strings.Repeat("x", domain.MaxHoldReasonBytes+1),
	} {
		_, err := domain.NewLegalHold(domain.LegalHoldData{Scope: scope, Reason: reason, SetBy: "admin-1", SetAt: at})
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s reason: got %v, want ErrInvalid", name, err)
		}
	}
	if _, err := domain.NewLegalHold(domain.LegalHoldData{Reason: "case 12", SetBy: "admin-1", SetAt: at}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("no scope: got %v, want ErrInvalid", err)
	}
	h, err := domain.NewLegalHold(domain.LegalHoldData{Scope: scope, Reason: "case 12", SetBy: "admin-1", SetAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if !h.Covers(domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/a.pdf")) {
		t.Error("hold does not cover its own file")
	}
	var none *domain.LegalHold
	if none.Covers(domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/a.pdf")) {
		t.Error("a nil hold covers a file")
	}
}
