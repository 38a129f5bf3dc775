package domain_test

import (
	"fmt"
	"strings"
	"testing"

	"storagegw/domain"
)

var allPermissions = []domain.Permission{
	domain.PermReadMetadata, domain.PermList, domain.PermSignURL,
	domain.PermUpload, domain.PermOverwrite, domain.PermSoftDelete,
	domain.PermHardDelete, domain.PermRestore, domain.PermReadAudit, domain.PermReadUsage,
	domain.PermLegalHold, domain.PermReadHolds,
}

// TestPolicyTable is SPEC §3 written out: every role against every permission.
func TestPolicyTable(t *testing.T) {
	t.Parallel()
	//               meta   list   sign   upload overwr softdel harddel restore audit usage  hold   readholds
	table := map[domain.Role][12]bool{
		domain.RoleViewer:  {true, true, true, false, false, false, false, false, false, false, false, false},
		domain.RoleMember:  {true, true, true, true, true, true, false, false, false, false, false, false},
		domain.RoleAdmin:   {true, true, true, true, true, true, true, true, true, true, true, true},
		domain.RoleAuditor: {true, false, false, false, false, false, false, false, true, true, false, true},
		"":                 {},
		"root":             {},
		"Admin":            {},
	}
	for role, row := range table {
		for i, perm := range allPermissions {
			t.Run(fmt.Sprintf("%q_%s", role, perm), func(t *testing.T) {
				t.Parallel()
				want := row[i]
				if got := role.Can(perm); got != want {
					t.Errorf("Role(%q).Can(%s) = %v, want %v", role, perm, got, want)
				}
				err := domain.Principal{UserID: "u1", OrgID: "acme", Role: role}.Authorize(perm)
				if want {
					checkErr(t, err, nil, "")
				} else {
					checkErr(t, err, domain.ErrForbidden, "forbidden")
				}
			})
		}
	}
	if got := domain.Role("admin").Can("delete_everything"); got {
		t.Errorf("admin.Can(unknown permission) = true, want false")
	}
}

func TestRolesIncludeThePreviousOne(t *testing.T) {
	t.Parallel()
	chain := []domain.Role{domain.RoleViewer, domain.RoleMember, domain.RoleAdmin}
	for i := 1; i < len(chain); i++ {
		for _, p := range allPermissions {
			if chain[i-1].Can(p) && !chain[i].Can(p) {
				t.Errorf("%s can %s but %s cannot; want each role to include the one before", chain[i-1], p, chain[i])
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, r := range domain.Roles() {
		got, err := domain.ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v, want %q, nil", r, got, err, r)
		}
	}
	for _, s := range []string{"", "root", "Admin", "VIEWER", " member", "admin\x00", "superuser", string(domain.RoleSystem)} {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseRole(s)
			checkErr(t, err, domain.ErrForbidden, "unknown_role")
			if got != "" {
				t.Errorf("got role %q with the error, want \"\"", got)
			}
		})
	}
}

func TestNewPrincipal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		user, org, role   string
		kind              error
		code              string
		wantUser, wantOrg string
		wantRole          domain.Role
	}{
		{name: "viewer", user: "u1", org: "acme", role: "viewer", wantUser: "u1", wantOrg: "acme", wantRole: domain.RoleViewer},
		{name: "auditor", user: "auditor@x", org: "Org_1", role: "auditor", wantUser: "auditor@x", wantOrg: "Org_1", wantRole: domain.RoleAuditor},
		{name: "256-byte subject", user: strings.Repeat("u", 256), org: "acme", role: "admin", wantUser: strings.Repeat("u", 256), wantOrg: "acme", wantRole: domain.RoleAdmin},
		{name: "no subject", user: "", org: "acme", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "subject too long", user: strings.Repeat("u", 257), org: "acme", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "subject with NUL", user: "u\x001", org: "acme", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "subject not UTF-8", user: "u\xff", org: "acme", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "no org", user: "u1", org: "", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "org with slash", user: "u1", org: "acme/../other", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "org starting with -", user: "u1", org: "-acme", role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "org 65 chars", user: "u1", org: strings.Repeat("o", 65), role: "admin", kind: domain.ErrUnauthenticated, code: "token_invalid"},
		{name: "unknown role", user: "u1", org: "acme", role: "root", kind: domain.ErrForbidden, code: "unknown_role"},
		{name: "empty role", user: "u1", org: "acme", role: "", kind: domain.ErrForbidden, code: "unknown_role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := domain.NewPrincipal(tt.user, tt.org, tt.role)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, tt.code)
				if p != (domain.Principal{}) {
					t.Errorf("got principal %+v with the error, want the zero value", p)
				}
				return
			}
			checkErr(t, err, nil, "")
			want := domain.Principal{UserID: tt.wantUser, OrgID: tt.wantOrg, Role: tt.wantRole}
			if p != want {
				t.Errorf("got %+v, want %+v", p, want)
			}
		})
	}
}
