package domain

import (
	"fmt"
	"strings"
)

// MaxListPrefixBytes bounds a listing's prefix.
const MaxListPrefixBytes = 512

// CheckListPrefix checks a listing's prefix for a caller of orgID. A
// prefix is relative to the caller's org, and may end mid-segment:
// "accounting/", "accounting/rec", "workspace/doc/d1/". It holds only the
// characters of path segments and '/', no empty or relative segment, and
// what it names of the system and object type must be able to begin
// one of the catalog's: a prefix that could match nothing is refused
// rather than answered with an empty page. A prefix that starts with
// the caller's own org ("org-1/workspace/") is refused with a message
// saying prefixes are relative to the org; another org's id is just a
// prefix that names no system, refused alike, so nothing is learnt of it.
func CheckListPrefix(orgID, prefix string) error {
	if err := checkPrefixSyntax(prefix); err != nil || prefix == "" {
		return err
	}
	segs := strings.Split(prefix, "/")
	system, complete := segs[0], len(segs) > 1
	if !startsOne(system, complete, systemNames()) {
		if system == orgID {
			return Errorf(ErrInvalid, "invalid_prefix",
				"prefix is relative to your organisation: leave out %q and start with a system, e.g. \"accounting/receipt/\".",
				orgID+"/")
		}
		return Errorf(ErrInvalid, "invalid_prefix",
			"prefix must start with a system (%s), relative to your organisation, e.g. \"accounting/receipt/\".",
			strings.Join(systemNames(), ", "))
	}
	if !complete {
		return nil
	}
	types := typeNames(System(system))
	if !startsOne(segs[1], len(segs) > 2, types) {
		return Errorf(ErrInvalid, "invalid_prefix", "prefix %s: system %s has the object types %s.",
			quoteSeg(prefix), system, strings.Join(types, ", "))
	}
	return nil
}

// checkPrefixSyntax accepts what can begin a path below the org.
func checkPrefixSyntax(prefix string) error {
	bad := Errorf(ErrInvalid, "invalid_prefix",
		"prefix must look like the start of a path below your organisation, e.g. \"accounting/receipt/\".")
	if len(prefix) > MaxListPrefixBytes || strings.HasPrefix(prefix, "/") {
		return bad
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/", c) >= 0) {
			return bad
		}
	}
	segs := strings.Split(prefix, "/")
	for i, s := range segs {
		if (s == "" && i < len(segs)-1) || s == "." || s == ".." {
			return bad
		}
	}
	return nil
}

// startsOne is whether seg is one of names (complete: a '/' follows it)
// or the start of one.
func startsOne(seg string, complete bool, names []string) bool {
	for _, n := range names {
		if seg == n || !complete && strings.HasPrefix(n, seg) {
			return true
		}
	}
	return false
}

func systemNames() []string {
	var out []string
	for _, s := range Systems() {
		out = append(out, string(s))
	}
	return out
}

func typeNames(s System) []string {
	var out []string
	for _, t := range catalog[s] {
		out = append(out, string(t))
	}
	return out
}

// quoteSeg quotes a checked prefix (path characters only) for a message.
func quoteSeg(s string) string { return fmt.Sprintf("%q", s) }
