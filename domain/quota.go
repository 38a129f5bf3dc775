package domain

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// CodeQuotaExceeded is the code of an upload refused because its org
// would go over its quota (ErrTooLarge).
const CodeQuotaExceeded = "quota_exceeded"

// Usage is what files take: bytes and a count. An org's usage counts every
// record whose blob is held in the store: current files and soft-deleted
// ones not yet purged (there are no versions yet); pending reservations
// and purged tombstones count nothing.
type Usage struct {
	Bytes int64
	Files int64
}

// Plus is u and v together.
func (u Usage) Plus(v Usage) Usage { return Usage{Bytes: u.Bytes + v.Bytes, Files: u.Files + v.Files} }

// Minus is u less v.
func (u Usage) Minus(v Usage) Usage { return Usage{Bytes: u.Bytes - v.Bytes, Files: u.Files - v.Files} }

// IsZero reports whether u counts nothing.
func (u Usage) IsZero() bool { return u == Usage{} }

// UsageEntry is an org's usage of one system and object type.
type UsageEntry struct {
	OrgID      string
	System     System
	ObjectType ObjectType
	Usage
}

// SortUsage orders entries by org, system and object type.
func SortUsage(es []UsageEntry) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.OrgID != b.OrgID {
			return a.OrgID < b.OrgID
		}
		if a.System != b.System {
			return a.System < b.System
		}
		return a.ObjectType < b.ObjectType
	})
}

// Quota bounds an org's usage; a zero field is unlimited.
type Quota struct {
	Bytes int64
	Files int64
}

// Unlimited reports whether q bounds nothing.
func (q Quota) Unlimited() bool { return q.Bytes <= 0 && q.Files <= 0 }

// Fits checks that an upload taking add (new bytes and files; for an
// overwrite, less what it replaces) fits org's quota q, when the org
// already uses used and uploads in flight have claimed inflight. A
// refusal is ErrTooLarge with CodeQuotaExceeded and names the limit and
// the usage.
func (q Quota) Fits(org string, used, inflight, add Usage) error {
	after := used.Plus(inflight).Plus(add)
	bytesOver := q.Bytes > 0 && add.Bytes > 0 && after.Bytes > q.Bytes
	filesOver := q.Files > 0 && add.Files > 0 && after.Files > q.Files
	if !bytesOver && !filesOver {
		return nil
	}
	files := fmt.Sprintf("%d files", used.Files)
	if q.Files > 0 {
		files = fmt.Sprintf("%d files of %d", used.Files, q.Files)
	}
	if inflight.Files > 0 || inflight.Bytes > 0 {
		files += fmt.Sprintf("; uploads in progress hold %s more", quotaSize(inflight.Bytes))
	}
	if bytesOver {
		return Errorf(ErrTooLarge, CodeQuotaExceeded,
			"Org %s would use %s of its %s quota (used %s, %s); delete files or ask for a larger quota.",
			org, quotaSize(after.Bytes), quotaSize(q.Bytes), quotaSize(used.Bytes), files)
	}
	return Errorf(ErrTooLarge, CodeQuotaExceeded,
		"Org %s would have %d files, over its quota of %d files (used %s, %s); delete files or ask for a larger quota.",
		org, after.Files, q.Files, quotaSize(used.Bytes), files)
}

// Remaining is how many more bytes fit q beside used and inflight
// (math.MaxInt64 when bytes are unlimited, 0 when none fit).
func (q Quota) Remaining(used, inflight Usage) int64 {
	if q.Bytes <= 0 {
		return math.MaxInt64
	}
	return max(0, q.Bytes-used.Bytes-inflight.Bytes)
}

// Quotas is the quota of every org: a default and per-org overrides.
type Quotas struct {
	Default   Quota
	Overrides map[string]Quota
}

// For is org's quota.
func (qs Quotas) For(org string) Quota {
	if q, ok := qs.Overrides[org]; ok {
		return q
	}
	return qs.Default
}

// ParseQuotaBytes reads a byte count: a whole number with an optional
// unit (B, KiB, MiB, GiB, TiB, or KB, MB, GB, TB in powers of 1000);
// "", "0" and "unlimited" are no limit (0).
func ParseQuotaBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "unlimited") {
		return 0, nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	mult, ok := map[string]int64{"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12}[strings.ToLower(unit)]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size (a whole number with an optional unit: 500MiB, 10GiB, 1TB, or unlimited)", s)
	}
	return n * mult, nil
}

// ParseQuotaFiles reads a file count; "", "0" and "unlimited" are no limit.
func ParseQuotaFiles(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "unlimited") {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a file count (a whole number, or unlimited)", s)
	}
	return n, nil
}

// ParseQuotaOverrides reads per-org quotas: comma-separated
// ORG=BYTES/FILES entries ("org-1=10GiB/100000,org-2=500MiB/unlimited");
// either side of the slash may be empty (unlimited), and a lone BYTES
// leaves files unlimited.
func ParseQuotaOverrides(s string) (map[string]Quota, error) {
	out := map[string]Quota{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		org, spec, ok := strings.Cut(item, "=")
		org = strings.TrimSpace(org)
		if !ok || validateID("org_id", org) != nil {
			return nil, fmt.Errorf("%q is not ORG=BYTES/FILES with an org id", item)
		}
		if _, dup := out[org]; dup {
			return nil, fmt.Errorf("org %s is named twice", org)
		}
		b, f, _ := strings.Cut(spec, "/")
		var q Quota
		var err error
		if q.Bytes, err = ParseQuotaBytes(b); err != nil {
			return nil, fmt.Errorf("org %s: %w", org, err)
		}
		if q.Files, err = ParseQuotaFiles(f); err != nil {
			return nil, fmt.Errorf("org %s: %w", org, err)
		}
		out[org] = q
	}
	return out, nil
}

// quotaSize writes n bytes for people: 1.2 GiB, 512 KiB, 17 B.
func quotaSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " " + units[u]
}
