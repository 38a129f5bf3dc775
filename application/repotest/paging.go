package repotest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// testAuditPaging pages through events many of which share a timestamp: the
// order is (timestamp, id) descending on every page, and the pages cover
// every event exactly once, whatever the page size.
func testAuditPaging(t *testing.T, fx Fixture) {
	org := newOrg()
	var evs []*domain.AuditEvent
	for i := range 17 {
		ts := base.Add(time.Duration(i/5) * time.Second) // runs of 5 equal timestamps
		evs = append(evs, event(t, org, ts, func(d *domain.AuditEventData) { d.Actor.UserID = fmt.Sprintf("user-%d", i) }))
	}
	appendAll(t, fx, evs...)
	appendAll(t, fx, event(t, newOrg(), base, nil)) // another org's event, same time

	want := slices.Clone(evs)
	slices.SortFunc(want, func(a, b *domain.AuditEvent) int {
		if c := b.Timestamp().Compare(a.Timestamp()); c != 0 {
			return c
		}
		return cmp.Compare(b.ID(), a.ID())
	})
	require.Equal(t, ids(want), ids(query(t, fx, application.AuditQuery{OrgID: org})), "one page")

	for _, size := range []int{1, 2, 3, 5, 16, 17, 100} {
		t.Run(fmt.Sprintf("page size %d", size), func(t *testing.T) {
			var got []string
			var after *application.AuditCursor
			for pages := 0; pages <= len(evs)+1; pages++ {
				page := query(t, fx, application.AuditQuery{OrgID: org, Limit: size, After: after})
				require.LessOrEqual(t, len(page), size)
				if len(page) == 0 {
					break
				}
				got = append(got, ids(page)...)
				last := page[len(page)-1]
				after = &application.AuditCursor{Timestamp: last.Timestamp(), ID: last.ID()}
			}
			require.Equal(t, ids(want), got)
		})
	}

	// A cursor combines with the filters.
	page := query(t, fx, application.AuditQuery{OrgID: org, UserID: "user-7",
		After: &application.AuditCursor{Timestamp: evs[7].Timestamp(), ID: strings.Repeat("f", 36)}})
	require.Equal(t, []string{evs[7].ID()}, ids(page))
	page = query(t, fx, application.AuditQuery{OrgID: org, UserID: "user-7",
		After: &application.AuditCursor{Timestamp: evs[7].Timestamp(), ID: evs[7].ID()}})
	require.Empty(t, page)
}

// testAppendOnly checks that the database itself refuses to change or
// remove audit rows, whoever asks.
func testAppendOnly(t *testing.T, fx Fixture) {
	org := newOrg()
	e := event(t, org, base, nil)
	appendAll(t, fx, e)
	stmts := []string{
		"UPDATE storage_audit_logs SET user_id = 'intruder' WHERE id = '" + e.ID() + "'",
		"UPDATE storage_audit_logs SET success = NOT success",
		"DELETE FROM storage_audit_logs WHERE id = '" + e.ID() + "'",
		"DELETE FROM storage_audit_logs",
	}
	// Re-inserting the row's id with other values, whatever the conflict
	// clause, must not replace it.
	const cols = "id, timestamp, org_id, user_id, user_role, ip_address, user_agent, action_type, " +
		"file_path, related_object_type, related_object_id, metadata, success, error_message"
	forged := "SELECT id, timestamp, org_id, 'intruder', user_role, ip_address, user_agent, action_type, " +
		"file_path, related_object_type, related_object_id, metadata, success, error_message " +
		"FROM storage_audit_logs WHERE id = '" + e.ID() + "'"
	stmts = append(stmts,
		"INSERT INTO storage_audit_logs ("+cols+") "+forged+" ON CONFLICT (id) DO UPDATE SET user_id = 'intruder'")
	if fx.Truncate {
		stmts = append(stmts, "TRUNCATE storage_audit_logs", "TRUNCATE TABLE storage_audit_logs CASCADE")
	}
	if fx.Replace {
		stmts = append(stmts,
			"INSERT OR REPLACE INTO storage_audit_logs ("+cols+") "+forged,
			"REPLACE INTO storage_audit_logs ("+cols+") "+forged,
			"INSERT OR REPLACE INTO storage_audit_logs SELECT * FROM storage_audit_logs")
	}
	for _, stmt := range stmts {
		err := fx.Exec(ctx(t), stmt)
		require.Error(t, err, "%s: got success, want the audit trail to refuse it", stmt)
		require.Contains(t, err.Error(), "append-only", "%s: refused for another reason", stmt)
	}
	got := query(t, fx, application.AuditQuery{OrgID: org})
	require.Len(t, got, 1)
	w, g := e.Data(), got[0].Data()
	w.Timestamp, g.Timestamp = micro(w.Timestamp), micro(g.Timestamp)
	require.Equal(t, w, g, "the event changed")
}
