package configs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"storagegw/domain"
)

// ContentRules returns domain.DefaultContentRules with the limits overrides
// applied. A key that is not a known "system/object_type" kind, a negative
// max_bytes or a malformed content type is an error naming it.
func (c *Config) ContentRules() (map[domain.Kind]domain.ContentRule, error) {
	rules := domain.DefaultContentRules()
	for _, key := range slices.Sorted(maps.Keys(c.Limits)) {
		lim := c.Limits[key]
		system, objType, ok := strings.Cut(key, "/")
		if !ok {
			return nil, fmt.Errorf("limits: unknown kind %q: write it as system/object_type, e.g. accounting/receipt", key)
		}
		kind, err := domain.ParseKind(system, objType)
		if err != nil {
			return nil, fmt.Errorf("limits: unknown kind %q: %s", key, err.Error())
		}
		if lim.MaxBytes < 0 {
			return nil, fmt.Errorf("limits: %s: max_bytes must not be negative (0 keeps the built-in limit)", key)
		}
		for _, pat := range lim.Allowed {
			major, minor, ok := strings.Cut(pat, "/")
			if !ok || major == "" || minor == "" || strings.ContainsAny(pat, " ;,") {
				return nil, fmt.Errorf("limits: %s: allowed entry %q is not a content type such as image/png, image/* or */*", key, pat)
			}
		}
		r := rules[kind]
		if lim.MaxBytes > 0 {
			r.MaxBytes = lim.MaxBytes
		}
		if len(lim.Allowed) > 0 {
			r.Allowed = slices.Clone(lim.Allowed)
		}
		if r.MaxBytes == 0 || len(r.Allowed) == 0 {
			return nil, fmt.Errorf("limits: %s has no built-in rule: set both max_bytes and allowed", key)
		}
		rules[kind] = r
	}
	return rules, nil
}

// GatewayLinkKinds parses links.gateway_kinds (STORAGEGW_GATEWAY_LINK_KINDS):
// system/object_type entries separated by commas, or "none".
func (c *Config) GatewayLinkKinds() (map[domain.Kind]bool, error) {
	v := strings.TrimSpace(c.Links.GatewayKinds)
	if v == "none" {
		return map[domain.Kind]bool{}, nil
	}
	return parseKinds(v, "STORAGEGW_GATEWAY_LINK_KINDS", "e.g. accounting/receipt,accounting/invoice, or none")
}

// UnversionedKinds parses versions.unversioned_kinds
// (STORAGEGW_UNVERSIONED_KINDS): system/object_type entries separated by
// commas; empty, every kind is versioned.
func (c *Config) UnversionedKinds() (map[domain.Kind]bool, error) {
	return parseKinds(c.Versions.UnversionedKinds, "STORAGEGW_UNVERSIONED_KINDS",
		"e.g. app-builder/build,communications/attachment, or leave it empty to version every kind")
}

// parseKinds parses v, system/object_type entries separated by commas
// (empty ones skipped), the value of the variable name; an unknown kind is
// an error naming the variable, with hint.
func parseKinds(v, name, hint string) (map[domain.Kind]bool, error) {
	kinds := map[domain.Kind]bool{}
	for _, key := range strings.Split(v, ",") {
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		system, objType, ok := strings.Cut(key, "/")
		kind, err := domain.ParseKind(system, objType)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s: unknown kind %q: write system/object_type entries separated by commas, %s", name, key, hint)
		}
		kinds[kind] = true
	}
	return kinds, nil
}

// QuotaPolicy returns the configured quotas. A malformed value is an error
// naming its variable.
func (c *Config) QuotaPolicy() (domain.Quotas, error) {
	var q domain.Quotas
	var err error
	if q.Default.Bytes, err = domain.ParseQuotaBytes(c.Quotas.Bytes); err != nil {
		return q, fmt.Errorf("STORAGEGW_QUOTA_BYTES: %s", err.Error())
	}
	if q.Default.Files, err = domain.ParseQuotaFiles(c.Quotas.Files); err != nil {
		return q, fmt.Errorf("STORAGEGW_QUOTA_FILES: %s", err.Error())
	}
	if q.Overrides, err = domain.ParseQuotaOverrides(c.Quotas.Overrides); err != nil {
		return q, fmt.Errorf("STORAGEGW_QUOTA_OVERRIDES: %s; write ORG=BYTES/FILES entries separated by commas, "+
			"e.g. org-1=10GiB/100000,org-2=500MiB/unlimited", err.Error())
	}
	return q, nil
}
