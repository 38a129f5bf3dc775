package domain_test

import (
	"errors"
	"testing"
	"time"

	"storagegw/domain"
)

// checkErr fails t unless err matches kind with errors.Is and, when code is
// not empty, carries that domain.Error code. A nil kind expects no error.
func checkErr(t *testing.T, err, kind error, code string) {
	t.Helper()
	if kind == nil {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want %v (%s)", kind, code)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v (kind %v), want kind %v", err, domain.KindOf(err), kind)
	}
	if code == "" {
		return
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("got %T %v, want a *domain.Error with code %q", err, err, code)
	}
	if de.Code != code {
		t.Fatalf("got code %q, want %q (error: %v)", de.Code, code, err)
	}
}

// t0 is the fixed instant the lifecycle tests start from.
var t0 = time.Date(2026, 1, 26, 15, 30, 45, 0, time.UTC)

func mustPath(t testing.TB, s string) domain.StoragePath {
	t.Helper()
	p, err := domain.ParseStoragePath(s)
	if err != nil {
		t.Fatalf("ParseStoragePath(%q): %v", s, err)
	}
	return p
}
