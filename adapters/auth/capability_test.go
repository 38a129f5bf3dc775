package auth_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storagegw/adapters/auth"
	"storagegw/domain"
)

func testCapability(t *testing.T) *domain.UploadCapability {
	t.Helper()
	p := domain.Principal{UserID: "user-7", OrgID: "org-secret", Role: domain.RoleMember}
	c, err := domain.NewUploadCapability(p, domain.UploadCapabilityRequest{ID: "cap-1", System: "accounting",
		ObjectType: "receipt", ObjectID: "r-1", Filename: "scan.pdf", MaxBytes: 1 << 20, PartSize: 8 << 20,
		AddTimestamp: true, Overwrite: true}, time.Now(), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCapabilitySealerRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := auth.NewCapabilitySealer(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	c := testCapability(t)
	tok, err := s.Seal(c)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	for _, clear := range []string{"user-7", "org-secret", "receipt", "scan"} {
		if strings.Contains(tok, clear) {
			t.Errorf("token %q names %q in clear", tok, clear)
		}
	}
	got, err := s.Open(tok)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := c.Data()
	want.ExpiresAt = want.ExpiresAt.Truncate(time.Second)
	if got.Data() != want {
		t.Errorf("Open(Seal(c)): got %+v, want %+v", got.Data(), want)
	}
}

func TestCapabilitySealerRefusesForgeries(t *testing.T) {
	t.Parallel()
	s, _ := auth.NewCapabilitySealer(bytes.Repeat([]byte("k"), 32))
	other, _ := auth.NewCapabilitySealer(bytes.Repeat([]byte("o"), 32))
	tok, err := s.Seal(testCapability(t))
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := other.Seal(testCapability(t))
	cases := map[string]string{"empty": "", "garbage": "not a token", "other key": foreign,
		"padded": tok + "=", "truncated": tok[:len(tok)-1]}
	for i := 0; i < len(tok); i += 7 {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		cases["byte "+string(rune('0'+i%10))+tok[i:i+1]] = string(b)
	}
	for name, bad := range cases {
		_, err := s.Open(bad)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.ErrForbidden || de.Code != "capability_invalid" {
			t.Errorf("Open(%s): got %v, want forbidden capability_invalid", name, err)
		}
	}
}

func TestProvideCapabilitySealer(t *testing.T) {
	t.Parallel()
	if _, err := auth.NewCapabilitySealer([]byte("short")); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("NewCapabilitySealer(short secret): got %v, want invalid", err)
	}
	dev := filepath.Join(t.TempDir(), "capability.key")
	a, err := auth.ProvideCapabilitySealer(nil, dev)
	if err != nil {
		t.Fatalf("ProvideCapabilitySealer(dev): %v", err)
	}
	b, err := auth.ProvideCapabilitySealer(nil, dev)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := a.Seal(testCapability(t))
	if _, err := b.Open(tok); err != nil {
		t.Errorf("a second process on the same data dir: Open got %v, want the token accepted", err)
	}
	c, _ := auth.ProvideCapabilitySealer(bytes.Repeat([]byte("c"), 32), dev)
	if _, err := c.Open(tok); err == nil {
		t.Errorf("a configured secret: got the dev key's token accepted, want it refused")
	}
}
