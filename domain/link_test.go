package domain_test

import (
	"testing"
	"time"

	"storagegw/domain"
)

func newTestLink(t *testing.T, maxUses int) *domain.Link {
	t.Helper()
	l, err := domain.NewLink(domain.LinkData{ID: "l1", OrgID: "org-1", FilePath: "org-1/accounting/receipt/r1/a.pdf",
		RecordID: "rec-1", Mode: domain.LinkGateway, CreatedBy: "u1", CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute),
		MaxUses: maxUses})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNewLinkValidation(t *testing.T) {
	ok := domain.LinkData{ID: "l1", OrgID: "org-1", FilePath: "org-1/accounting/receipt/r1/a.pdf",
		RecordID: "rec-1", Mode: domain.LinkLocal, CreatedBy: "u1", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	for name, mut := range map[string]func(*domain.LinkData){
		"no id":           func(d *domain.LinkData) { d.ID = "" },
		"no creator":      func(d *domain.LinkData) { d.CreatedBy = "" },
		"another org":     func(d *domain.LinkData) { d.FilePath = "org-2/accounting/receipt/r1/a.pdf" },
		"org prefix only": func(d *domain.LinkData) { d.FilePath = "org-10/accounting/receipt/r1/a.pdf" },
		"unknown mode":    func(d *domain.LinkData) { d.Mode = "cdn" },
		"expired":         func(d *domain.LinkData) { d.ExpiresAt = t0 },
		"negative uses":   func(d *domain.LinkData) { d.MaxUses = -1 },
		"too many uses":   func(d *domain.LinkData) { d.MaxUses = domain.MaxLinkUses + 1 },
	} {
		t.Run(name, func(t *testing.T) {
			d := ok
			mut(&d)
			_, err := domain.NewLink(d)
			checkErr(t, err, domain.ErrInvalid, "invalid_link")
		})
	}
	d := ok
	d.Uses, d.RevokedAt, d.RevokedBy = 7, t0, "x"
	l, err := domain.NewLink(d)
	checkErr(t, err, nil, "")
	if l.Uses() != 0 || l.Revoked() {
		t.Fatalf("a new link starts unused and unrevoked, got uses %d revoked %v", l.Uses(), l.Revoked())
	}
}

func TestLinkRevoke(t *testing.T) {
	l := newTestLink(t, 0)
	checkErr(t, l.Use(t0), nil, "")
	l.Revoke("u2", t0.Add(time.Second))
	checkErr(t, l.Usable(t0.Add(2*time.Second)), domain.ErrForbidden, domain.CodeLinkRevoked)
	checkErr(t, l.Use(t0.Add(2*time.Second)), domain.ErrForbidden, domain.CodeLinkRevoked)
	l.Revoke("u3", t0.Add(time.Hour)) // the first revocation stands
	if d := l.Data(); d.RevokedBy != "u2" || !d.RevokedAt.Equal(t0.Add(time.Second)) || d.Uses != 1 {
		t.Fatalf("after two revocations: %+v", d)
	}
}

func TestLinkMaxUses(t *testing.T) {
	l := newTestLink(t, 2)
	checkErr(t, l.Use(t0), nil, "")
	checkErr(t, l.Use(t0), nil, "")
	checkErr(t, l.Use(t0), domain.ErrForbidden, domain.CodeLinkExhausted)
	if l.Uses() != 2 {
		t.Fatalf("uses = %d, want 2", l.Uses())
	}
	unlimited := newTestLink(t, 0)
	for range 50 {
		checkErr(t, unlimited.Use(t0), nil, "")
	}
}

func TestLinkExpiry(t *testing.T) {
	l := newTestLink(t, 0)
	checkErr(t, l.Usable(t0.Add(10*time.Minute-time.Nanosecond)), nil, "")
	checkErr(t, l.Use(t0.Add(10*time.Minute)), domain.ErrForbidden, "url_expired")
}

func TestParseMaxUses(t *testing.T) {
	n, err := domain.ParseMaxUses(nil)
	checkErr(t, err, nil, "")
	if n != 0 {
		t.Fatalf("nil max_uses = %d, want 0 (unlimited)", n)
	}
	for _, v := range []int{0, -1, domain.MaxLinkUses + 1} {
		_, err := domain.ParseMaxUses(&v)
		checkErr(t, err, domain.ErrInvalid, "invalid_max_uses")
	}
	v := 3
	if n, err := domain.ParseMaxUses(&v); err != nil || n != 3 {
		t.Fatalf("ParseMaxUses(3) = %d, %v", n, err)
	}
}
