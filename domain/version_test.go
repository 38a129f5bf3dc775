package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

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

func TestFileVersionOfRecord(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	p := domain.MustParseStoragePath("org-1/workspace/doc/d1/a.pdf")
	rec, err := domain.NewPendingRecord("rec-1", p, "a.pdf", "user-1", "up-1", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := domain.NewFileVersion("v-0", rec, now); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a pending record has no content to keep: got %v", err)
	}
	first := domain.Content{BlobKey: domain.BlobKeyFor(p, "up-1"), ContentType: "application/pdf", SizeBytes: 10, SHA256: strings.Repeat("a", 64)}
	if _, err := rec.CompleteUpload("up-1", first, "a.pdf", "user-1", now); err != nil {
		t.Fatal(err)
	}
	v, err := domain.NewFileVersion("v-1", rec, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if v.Content != first || v.UploadedBy != "user-1" || !v.CreatedAt.Equal(now) || !v.SupersededAt.Equal(now.Add(time.Hour)) ||
		v.Usage() != (domain.Usage{Bytes: 10, Files: 1}) {
		t.Errorf("version: got %+v", v)
	}
	if v.SupersededLongerThan(time.Hour, now.Add(2*time.Hour)) || !v.SupersededLongerThan(time.Hour, now.Add(2*time.Hour+1)) {
		t.Error("SupersededLongerThan is strict at the retention")
	}

	// Restore it over newer content.
	if err := rec.BeginUpload("up-2", true, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	second := domain.Content{BlobKey: domain.BlobKeyFor(p, "up-2"), ContentType: "application/pdf", SizeBytes: 20, SHA256: strings.Repeat("b", 64)}
	if _, err := rec.CompleteUpload("up-2", second, "a.pdf", "user-2", now); err != nil {
		t.Fatal(err)
	}
	other := v
	other.Path = domain.MustParseStoragePath("org-1/workspace/doc/d1/b.pdf")
	if _, err := rec.RestoreVersion(other, "user-3", now); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another path's version: got %v", err)
	}
	replaced, err := rec.RestoreVersion(v, "user-3", now.Add(2*time.Hour))
	if err != nil || replaced != second || rec.Content() != first || rec.UploadedBy() != "user-1" {
		t.Fatalf("restore: replaced %+v, %v; record %+v", replaced, err, rec.Data())
	}
	if err := rec.SoftDelete("user-3", now); err != nil {
		t.Fatal(err)
	}
	_, err = rec.RestoreVersion(v, "user-3", now)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "file_deleted" {
		t.Errorf("a deleted file's version: got %v, want file_deleted", err)
	}
}

func TestCheckVersionID(t *testing.T) {
	t.Parallel()
	if err := domain.CheckVersionID(""); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("empty: got %v", err)
	}
	if err := domain.CheckVersionID(strings.Repeat("x", 65)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("too long: got %v", err)
	}
	if err := domain.CheckVersionID("0193a5c2-7d4e-7a10-9b6f-2f1c3d4e5f60"); err != nil {
		t.Errorf("a uuid: got %v", err)
	}
}
