package domain_test

import (
	"testing"

	"storagegw/domain"
)

func TestBlobKeyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range domain.Kinds() {
		p := mustPath(t, "acme/"+k.String()+"/o1/20260126_153045_IMG_2024.jpg")
		key := domain.BlobKeyFor(p, "0195f7a2-7c3e-7b1a-9d2e-1f2a3b4c5d6e")
		if want := p.String() + "/0195f7a2-7c3e-7b1a-9d2e-1f2a3b4c5d6e"; key != want {
			t.Errorf("BlobKeyFor = %q, want %q", key, want)
		}
		got, ok := domain.PathOfBlobKey(key)
		if !ok || got != p {
			t.Errorf("PathOfBlobKey(%q) = %v, %v, want %v, true", key, got, ok, p)
		}
	}
}

func TestPathOfBlobKeyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, key string }{
		{"empty", ""},
		{"no slash", "u1"},
		{"path without upload id", "acme/workspace/doc/d1/a.pdf"},
		{"trailing slash", "acme/workspace/doc/d1/a.pdf/"},
		{"leading slash", "/acme/workspace/doc/d1/a.pdf/u1"},
		{"only a slash and id", "/u1"},
		{"traversal", "acme/workspace/doc/../a.pdf/u1"},
		{"another system's type", "acme/workspace/receipt/d1/a.pdf/u1"},
		{"non-canonical filename", "acme/workspace/doc/d1/a b.pdf/u1"},
		{"extra segment", "acme/workspace/doc/d1/x/a.pdf/u1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if p, ok := domain.PathOfBlobKey(tt.key); ok {
				t.Errorf("PathOfBlobKey(%q) = %v, true, want false", tt.key, p)
			}
		})
	}
}
