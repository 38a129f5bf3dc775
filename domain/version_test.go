package domain_test

import (
	"testing"

	"storagegw/domain"
)

func TestKeepsPreviousVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                string
		kindVersioned, held bool
		want                bool
	}{
		{"versioned kind keeps the previous content", true, false, true},
		{"unversioned kind drops it", false, false, false},
		{"a held file keeps it whatever its kind", false, true, true},
		{"a held file of a versioned kind keeps it", true, true, true},
	}
	for _, c := range cases {
		if got := domain.KeepsPreviousVersion(c.kindVersioned, c.held); got != c.want {
			t.Errorf("%s: KeepsPreviousVersion(%v, %v) = %v, want %v", c.name, c.kindVersioned, c.held, got, c.want)
		}
	}
}
