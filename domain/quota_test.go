package domain_test

import (
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

func TestQuotaFits(t *testing.T) {
	t.Parallel()
	const gib = 1 << 30
	q := domain.Quota{Bytes: gib, Files: 1000}
	cases := []struct {
		name                string
		q                   domain.Quota
		used, inflight, add domain.Usage
		wantErr             bool
		wantInMessage       []string
	}{
		{name: "fits", q: q, used: domain.Usage{Bytes: gib / 2, Files: 10}, add: domain.Usage{Bytes: gib / 2, Files: 1}},
		{name: "exactly full", q: q, used: domain.Usage{Bytes: gib - 10, Files: 999}, add: domain.Usage{Bytes: 10, Files: 1}},
		{name: "one byte over", q: q, used: domain.Usage{Bytes: gib - 10, Files: 18}, add: domain.Usage{Bytes: 11, Files: 1}, wantErr: true,
			wantInMessage: []string{"org-1", "1 GiB quota", "18 files of 1000"}},
		{name: "in flight counts", q: q, used: domain.Usage{Bytes: gib / 2}, inflight: domain.Usage{Bytes: gib / 2}, add: domain.Usage{Bytes: 1, Files: 1},
			wantErr: true, wantInMessage: []string{"uploads in progress hold 512 MiB more"}},
		{name: "message names usage", q: q, used: domain.Usage{Bytes: gib + gib/10, Files: 18}, add: domain.Usage{Bytes: gib / 10, Files: 1}, wantErr: true,
			wantInMessage: []string{"would use 1.2 GiB of its 1 GiB quota (used 1.1 GiB, 18 files of 1000"}},
		{name: "files over", q: q, used: domain.Usage{Files: 1000}, add: domain.Usage{Bytes: 1, Files: 1}, wantErr: true,
			wantInMessage: []string{"1001 files, over its quota of 1000 files"}},
		{name: "overwrite adds no file", q: q, used: domain.Usage{Files: 1000}, add: domain.Usage{Bytes: 1}},
		{name: "shrinking fits when over", q: q, used: domain.Usage{Bytes: 2 * gib, Files: 1}, add: domain.Usage{Bytes: -10}},
		{name: "unlimited", q: domain.Quota{}, used: domain.Usage{Bytes: 1 << 50, Files: 1 << 40}, add: domain.Usage{Bytes: 1 << 50, Files: 1}},
		{name: "bytes only", q: domain.Quota{Bytes: 100}, used: domain.Usage{Files: 1 << 40}, add: domain.Usage{Bytes: 100, Files: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.q.Fits("org-1", c.used, c.inflight, c.add)
			if !c.wantErr {
				checkErr(t, err, nil, "")
				return
			}
			checkErr(t, err, domain.ErrTooLarge, domain.CodeQuotaExceeded)
			for _, s := range c.wantInMessage {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err.Error(), s)
				}
			}
		})
	}
}

func TestQuotaRemaining(t *testing.T) {
	t.Parallel()
	q := domain.Quota{Bytes: 100}
	if got := q.Remaining(domain.Usage{Bytes: 30}, domain.Usage{Bytes: 20}); got != 50 {
		t.Errorf("Remaining = %d, want 50", got)
	}
	if got := q.Remaining(domain.Usage{Bytes: 130}, domain.Usage{}); got != 0 {
		t.Errorf("Remaining over quota = %d, want 0", got)
	}
	if got := (domain.Quota{Files: 3}).Remaining(domain.Usage{Bytes: 1 << 60}, domain.Usage{}); got < 1<<62 {
		t.Errorf("Remaining unlimited bytes = %d, want huge", got)
	}
}

func TestParseQuotas(t *testing.T) {
	t.Parallel()
	sizes := map[string]int64{"": 0, "0": 0, "unlimited": 0, "17": 17, "17B": 17, "10GiB": 10 << 30, "500 MiB": 500 << 20,
		"1TB": 1e12, "2kb": 2000, "3KiB": 3 << 10}
	for in, want := range sizes {
		if got, err := domain.ParseQuotaBytes(in); err != nil || got != want {
			t.Errorf("ParseQuotaBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"-1", "1.5GiB", "10 parsecs", "GiB", "99999999999TiB"} {
		if _, err := domain.ParseQuotaBytes(bad); err == nil {
			t.Errorf("ParseQuotaBytes(%q) succeeded, want an error", bad)
		}
	}
	got, err := domain.ParseQuotaOverrides(" org-1=10GiB/100000, org-2=500MiB , org-3=/7,")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]domain.Quota{"org-1": {Bytes: 10 << 30, Files: 100000}, "org-2": {Bytes: 500 << 20}, "org-3": {Files: 7}}
	if len(got) != len(want) {
		t.Fatalf("overrides = %v, want %v", got, want)
	}
	for org, q := range want {
		if got[org] != q {
			t.Errorf("override %s = %v, want %v", org, got[org], q)
		}
	}
	for _, bad := range []string{"org-1", "=1GiB", "org 1=1GiB", "org-1=1GiB/x", "org-1=1/2,org-1=3/4", "org-1=big"} {
		if _, err := domain.ParseQuotaOverrides(bad); err == nil {
			t.Errorf("ParseQuotaOverrides(%q) succeeded, want an error", bad)
		}
	}
	qs := domain.Quotas{Default: domain.Quota{Bytes: 1}, Overrides: want}
	if qs.For("org-2") != want["org-2"] || qs.For("org-9") != qs.Default {
		t.Errorf("Quotas.For does not pick the override, else the default")
	}
}

func TestRecordUsageAndClaim(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	path := mustPath(t, "org-1/workspace/doc/d1/a.txt")
	rec, err := domain.NewPendingRecord("r1", path, "a.txt", "alice", "up1", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Usage().IsZero() || !rec.StoredUsage().IsZero() {
		t.Errorf("a pending record counts %v (stored %v), want nothing", rec.Usage(), rec.StoredUsage())
	}
	if err := rec.DeclareSize("other", 5); err == nil {
		t.Errorf("DeclareSize by another upload succeeded")
	}
	if err := rec.DeclareSize("up1", 40); err != nil {
		t.Fatal(err)
	}
	if got := rec.Claim(now); got != (domain.Usage{Bytes: 40, Files: 1}) {
		t.Errorf("Claim = %v, want 40 bytes and a file", got)
	}
	if got := rec.Claim(now.Add(time.Minute)); !got.IsZero() {
		t.Errorf("Claim after the lease lapsed = %v, want nothing", got)
	}
	content := domain.Content{BlobKey: "k1", ContentType: "text/plain", SizeBytes: 33, SHA256: strings.Repeat("a", 64)}
	if _, err := rec.CompleteUpload("up1", content, "a.txt", "alice", now); err != nil {
		t.Fatal(err)
	}
	if got := rec.Usage(); got != (domain.Usage{Bytes: 33, Files: 1}) {
		t.Errorf("Usage of an active record = %v, want 33 bytes, 1 file", got)
	}
	if !rec.Claim(now).IsZero() {
		t.Errorf("a committed record still claims %v", rec.Claim(now))
	}
	// As a repository saves and reloads it.
	loaded, err := domain.RehydrateFileRecord(rec.Data())
	if err != nil {
		t.Fatal(err)
	}
	if loaded.StoredUsage() != loaded.Usage() {
		t.Errorf("StoredUsage of a loaded record = %v, want its usage %v", loaded.StoredUsage(), loaded.Usage())
	}
	if err := loaded.BeginUpload("up2", true, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	_ = loaded.DeclareSize("up2", 10)
	if got := loaded.Claim(now); got != (domain.Usage{Bytes: 10}) {
		t.Errorf("an overwrite's Claim = %v, want 10 bytes and no file", got)
	}
	if err := loaded.SoftDelete("bob", now); err != nil {
		t.Fatal(err)
	}
	if got := loaded.Usage(); got != (domain.Usage{Bytes: 33, Files: 1}) || !loaded.Claim(now).IsZero() {
		t.Errorf("a soft-deleted record counts %v and claims %v, want 33 bytes, 1 file and no claim", got, loaded.Claim(now))
	}
	if _, err := loaded.Purge("system", now); err != nil {
		t.Fatal(err)
	}
	if !loaded.Usage().IsZero() || loaded.StoredUsage() != (domain.Usage{Bytes: 33, Files: 1}) {
		t.Errorf("a purged record counts %v (stored %v), want nothing (stored 33 bytes, 1 file)", loaded.Usage(), loaded.StoredUsage())
	}
}
