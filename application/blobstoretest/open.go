package blobstoretest

import (
	"bytes"
	"io"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

func testOpenRange(t *testing.T, newStore NewStoreFunc) {
	s := newStore(t)
	const key = "range/digits"
	digits := []byte("0123456789")
	mustPut(t, s, key, digits)

	tests := []struct {
		name    string
		rng     application.Range
		want    string
		wantErr error
	}{
		{name: "zero range is the whole blob", rng: application.Range{}, want: "0123456789"},
		{name: "whole", rng: application.Whole, want: "0123456789"},
		{name: "offset to the end", rng: application.Range{Offset: 3, Length: -1}, want: "3456789"},
		{name: "offset and length", rng: application.Range{Offset: 3, Length: 4}, want: "3456"},
		{name: "first byte", rng: application.Range{Offset: 0, Length: 1}, want: "0"},
		{name: "last byte", rng: application.Range{Offset: 9, Length: 1}, want: "9"},
		{name: "last byte to the end", rng: application.Range{Offset: 9, Length: -1}, want: "9"},
		{name: "length past the end clamps", rng: application.Range{Offset: 7, Length: 100}, want: "789"},
		{name: "offset at the end", rng: application.Range{Offset: 10, Length: -1}, wantErr: domain.ErrInvalid},
		{name: "offset at the end with length", rng: application.Range{Offset: 10, Length: 1}, wantErr: domain.ErrInvalid},
		{name: "offset past the end", rng: application.Range{Offset: 11, Length: -1}, wantErr: domain.ErrInvalid},
		{name: "offset far past the end", rng: application.Range{Offset: 1 << 40, Length: 5}, wantErr: domain.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rc, info, err := s.Open(t.Context(), key, tc.rng)
			if tc.wantErr != nil {
				if err == nil {
					rc.Close()
				}
				wantErr(t, "Open", err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Open: got error %v, want nil", err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatalf("reading Open(%+v): got error %v, want nil", tc.rng, err)
			}
			if got := string(b); got != tc.want {
				t.Errorf("Open(%+v): got %q, want %q", tc.rng, got, tc.want)
			}
			if info.Key != key || info.Size != int64(len(digits)) {
				t.Errorf("Open(%+v) info: got {%q, %d}, want the whole blob's {%q, %d}",
					tc.rng, info.Key, info.Size, key, len(digits))
			}
		})
	}

	t.Run("empty blob", func(t *testing.T) {
		t.Parallel()
		mustPut(t, s, "range/empty", nil)
		for _, rng := range []application.Range{{}, application.Whole} {
			if got := mustRead(t, s, "range/empty", rng); len(got) != 0 {
				t.Errorf("Open(%+v): got %q, want no bytes", rng, got)
			}
		}
	})
	t.Run("missing key", func(t *testing.T) {
		t.Parallel()
		for _, rng := range []application.Range{application.Whole, {Offset: 5, Length: 1}} {
			_, _, err := s.Open(t.Context(), "range/missing", rng)
			wantErr(t, "Open", err, domain.ErrNotFound)
		}
	})
	t.Run("range of a large blob", func(t *testing.T) {
		t.Parallel()
		big := randomBytes(3 << 20)
		mustPut(t, s, "range/big", big)
		rng := application.Range{Offset: 2<<20 + 7, Length: 512<<10 + 3}
		got := mustRead(t, s, "range/big", rng)
		if want := big[rng.Offset : rng.Offset+rng.Length]; !bytes.Equal(got, want) {
			t.Errorf("Open(%+v): got %d bytes differing from the %d bytes put there", rng, len(got), len(want))
		}
	})
}
