package repotest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

func paths(recs []*domain.FileRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Path().String()
	}
	return out
}

// listFixture stores, in a new org, visible files whose names sort
// differently bytewise than under most locales, files that are not visible
// (soft-deleted, pending, purged), look-alikes that a '_' wildcard or a
// case-insensitive match would catch, and the same paths in another org.
func listFixture(t *testing.T, fx Fixture) (org string, visible, hidden []string) {
	org = newOrg()
	d := org + "/workspace/doc/obj_1/"
	visible = []string{d + "a.txt", d + "a-b.txt", d + "a_b.txt", d + "B.txt", d + "a0.txt",
		org + "/workspace/doc/objX1/c.txt", org + "/workspace/doc/OBJ_1/x.txt", org + "/workspace/sheet/s1/d.csv"}
	for _, s := range visible {
		active(t, fx, path(t, s))
	}
	del := active(t, fx, path(t, d+"deleted.txt"))
	require.NoError(t, del.SoftDelete("user-1", base.Add(time.Minute)))
	_, err := fx.Files.Update(ctx(t), del)
	require.NoError(t, err)
	create(t, fx, path(t, d+"pending.txt"))
	purged := active(t, fx, path(t, d+"purged.txt"))
	_, err = purged.Purge(domain.SystemActor, base.Add(time.Hour))
	require.NoError(t, err)
	_, err = fx.Files.Update(ctx(t), purged)
	require.NoError(t, err)
	hidden = []string{d + "deleted.txt", d + "pending.txt", d + "purged.txt"}

	other := newOrg()
	active(t, fx, path(t, other+"/workspace/doc/obj_1/a.txt"))
	slices.Sort(visible)
	return org, visible, hidden
}

func testList(t *testing.T, fx Fixture) {
	org, visible, hidden := listFixture(t, fx)
	d := org + "/workspace/doc/obj_1/"
	all := slices.Sorted(slices.Values(append(slices.Clone(visible), hidden...)))
	inPrefix := func(list []string, prefix string) []string {
		var out []string
		for _, s := range list {
			if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
				out = append(out, s)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    application.ListQuery
		want []string
	}{
		{"visible only, bytewise order", application.ListQuery{OrgID: org, Limit: 100}, visible},
		{"include deleted", application.ListQuery{OrgID: org, Limit: 100, IncludeDeleted: true}, all},
		{"prefix with underscore is literal", application.ListQuery{OrgID: org, Prefix: d, Limit: 100}, inPrefix(visible, d)},
		{"prefix is case-sensitive", application.ListQuery{OrgID: org, Prefix: org + "/workspace/doc/OBJ_", Limit: 100},
			[]string{org + "/workspace/doc/OBJ_1/x.txt"}},
		{"prefix include deleted", application.ListQuery{OrgID: org, Prefix: d, Limit: 100, IncludeDeleted: true}, inPrefix(all, d)},
		{"prefix of a system", application.ListQuery{OrgID: org, Prefix: org + "/workspace/sheet/", Limit: 100},
			[]string{org + "/workspace/sheet/s1/d.csv"}},
		{"partial segment prefix", application.ListQuery{OrgID: org, Prefix: d + "a", Limit: 100}, inPrefix(visible, d+"a")},
		{"after", application.ListQuery{OrgID: org, After: visible[2], Limit: 100}, visible[3:]},
		{"after and limit", application.ListQuery{OrgID: org, After: visible[0], Limit: 2}, visible[1:3]},
		{"limit", application.ListQuery{OrgID: org, Limit: 3}, visible[:3]},
		{"another org's prefix", application.ListQuery{OrgID: org, Prefix: "org-x/workspace/", Limit: 100}, nil},
		{"prefix that matches nothing", application.ListQuery{OrgID: org, Prefix: d + "zzz", Limit: 100}, nil},
		{"unknown org", application.ListQuery{OrgID: newOrg(), Limit: 100}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fx.Files.List(ctx(t), tc.q)
			require.NoError(t, err)
			require.Equal(t, tc.want, nilIfEmpty(paths(got)), "got %v, want %v", paths(got), tc.want)
			for _, r := range got {
				require.True(t, r.Path().BelongsTo(org), "got %s from another org", r.Path())
				require.True(t, tc.q.IncludeDeleted || r.Visible(), "got invisible %s", r.Path())
			}
		})
	}
	for _, q := range []application.ListQuery{{Limit: 10}, {OrgID: org}, {OrgID: org, Limit: -1}} {
		_, err := fx.Files.List(ctx(t), q)
		requireKind(t, err, domain.ErrInvalid, "")
	}
}

func testListPaging(t *testing.T, fx Fixture) {
	org, visible, hidden := listFixture(t, fx)
	for _, includeDeleted := range []bool{false, true} {
		want := visible
		if includeDeleted {
			want = slices.Sorted(slices.Values(append(slices.Clone(visible), hidden...)))
		}
		var got []string
		after := ""
		for page := 0; page < 20; page++ {
			recs, err := fx.Files.List(ctx(t), application.ListQuery{OrgID: org, After: after, Limit: 3, IncludeDeleted: includeDeleted})
			require.NoError(t, err)
			require.LessOrEqual(t, len(recs), 3)
			if len(recs) == 0 {
				break
			}
			got = append(got, paths(recs)...)
			after = recs[len(recs)-1].Path().String()
		}
		require.Equal(t, want, got, "include deleted: %v", includeDeleted)
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
