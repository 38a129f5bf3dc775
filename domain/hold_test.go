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

func TestLegalHoldRefusalAndRecord(t *testing.T) {
	t.Parallel()
	file := domain.MustParseStoragePath("org-1/accounting/invoice/inv-42/a.pdf")
	scope := domain.ObjectHoldScopeOf(file)
	if scope.String() != "org-1/accounting/invoice/inv-42/" || !scope.IsObject() || scope.Kind() != "object" {
		t.Fatalf("ObjectHoldScopeOf = %q (object %v), want the object's prefix", scope, scope.IsObject())
	}
	parsed, err := domain.ParseObjectHoldScope("org-1", "accounting/invoice/inv-42/")
	if err != nil || parsed != scope {
		t.Errorf("ParseObjectHoldScope = %v, %v; want %v", parsed, err, scope)
	}
	h, err := domain.NewLegalHold(domain.LegalHoldData{Scope: scope, Reason: "case 12", SetBy: "admin-1",
		SetAt: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	refusal := h.Refuse("hard-deleted")
	var de *domain.Error
	if !errors.As(refusal, &de) || !errors.Is(refusal, domain.ErrExists) || de.Code != domain.CodeLegalHold ||
		!strings.Contains(de.Message, "accounting/invoice/inv-42/") || !strings.Contains(de.Message, "an admin must clear") {
		t.Errorf("Refuse = %v, want ErrExists legal_hold naming the scope and the way out", refusal)
	}
	rec, err := domain.RehydrateFileRecord(domain.FileRecordData{ID: "r1", Path: file, State: domain.StatePending})
	if err != nil {
		t.Fatal(err)
	}
	rec.ShowLegalHold(h)
	if rec.LegalHold() != h {
		t.Errorf("LegalHold() = %v, want the hold shown", rec.LegalHold())
	}
	other, err := domain.RehydrateFileRecord(domain.FileRecordData{ID: "r2",
		Path: domain.MustParseStoragePath("org-1/accounting/invoice/inv-43/a.pdf"), State: domain.StatePending})
	if err != nil {
		t.Fatal(err)
	}
	if other.ShowLegalHold(h); other.LegalHold() != nil {
		t.Error("a record shows a hold that does not cover it")
	}
}
