package repotest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// event builds a valid event of org at ts; edit adjusts it before validation.
func event(t *testing.T, org string, ts time.Time, edit func(d *domain.AuditEventData)) *domain.AuditEvent {
	t.Helper()
	d := domain.AuditEventData{
		ID:        newID(),
		Timestamp: ts,
		Actor:     domain.Actor{UserID: "user-1", Role: domain.RoleMember, OrgID: org, IP: "203.0.113.7", UserAgent: "test/1.0"},
		Action:    domain.ActionUpload,
		FilePath:  org + "/workspace/doc/d1/a.txt",
		Success:   true,
	}
	if edit != nil {
		edit(&d)
	}
	e, err := domain.NewAuditEvent(d)
	require.NoError(t, err)
	return e
}

func appendAll(t *testing.T, fx Fixture, events ...*domain.AuditEvent) {
	t.Helper()
	for _, e := range events {
		require.NoError(t, fx.Audit.Append(ctx(t), e), "append %s", e.ID())
	}
}

func ids(events []*domain.AuditEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.ID())
	}
	return out
}

func query(t *testing.T, fx Fixture, q application.AuditQuery) []*domain.AuditEvent {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 500
	}
	got, err := fx.Audit.Query(ctx(t), q)
	require.NoError(t, err, "query %+v", q)
	return got
}

func testAuditRoundTrip(t *testing.T, fx Fixture) {
	org := newOrg()
	ok := event(t, org, base, func(d *domain.AuditEventData) {
		d.Actor.Role = domain.RoleAdmin
		d.RelatedObjectType, d.RelatedObjectID = "doc", "d1"
		d.Metadata = map[string]any{"size_bytes": float64(1234), "overwrite": true, "name": "a.txt",
			"nested": map[string]any{"list": []any{"x", float64(2)}}}
	})
	failed := event(t, org, base.Add(time.Second), func(d *domain.AuditEventData) {
		d.Action, d.Success, d.ErrorMessage = domain.ActionDelete, false, "No such file."
		d.FilePath = "../not a path"
	})
	appendAll(t, fx, ok, failed)
	got := query(t, fx, application.AuditQuery{OrgID: org})
	require.Len(t, got, 2)
	for i, want := range []*domain.AuditEvent{failed, ok} {
		w, g := want.Data(), got[i].Data()
		require.Equal(t, time.UTC, g.Timestamp.Location(), "got time %v, want UTC", g.Timestamp)
		w.Timestamp, g.Timestamp = micro(w.Timestamp), micro(g.Timestamp)
		require.Equal(t, w, g)
	}
}

// testAuditHostileText: client text with NUL, other control characters
// and invalid UTF-8, anywhere in an event, never makes the store refuse
// it (PostgreSQL refuses NUL and invalid UTF-8 in text and JSON); the
// event reads back as the domain escaped it.
func testAuditHostileText(t *testing.T, fx Fixture) {
	org := newOrg()
	hostile := "a\x00b\xff\xfe\x1b[31m\\"
	e := event(t, org, base, func(d *domain.AuditEventData) {
		d.Action, d.Success, d.ErrorMessage = domain.ActionList, false, "refused: "+hostile
		d.FilePath, d.RelatedObjectType, d.RelatedObjectID = hostile, hostile, hostile
		d.Actor.UserAgent = hostile
		d.Metadata = map[string]any{"prefix": hostile, hostile: "key", "upload_id": []any{hostile},
			"nested": map[string]any{"list": []any{hostile, float64(1)}}}
	})
	appendAll(t, fx, e)
	got := query(t, fx, application.AuditQuery{OrgID: org})
	require.Len(t, got, 1)
	w, g := e.Data(), got[0].Data()
	w.Timestamp, g.Timestamp = micro(w.Timestamp), micro(g.Timestamp)
	require.Equal(t, w, g)
	require.Equal(t, `a\x00b\xff\xfe\x1b[31m\\`, g.Metadata["prefix"], "the metadata keeps the text, escaped")
}

func testAuditDuplicate(t *testing.T, fx Fixture) {
	e := event(t, newOrg(), base, nil)
	appendAll(t, fx, e)
	requireKind(t, fx.Audit.Append(ctx(t), e), domain.ErrExists, "")
}

func testAuditFilters(t *testing.T, fx Fixture) {
	org := newOrg()
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }
	plain := event(t, org, at(0), nil)
	byUser := event(t, org, at(1), func(d *domain.AuditEventData) { d.Actor.UserID = "user-2" })
	byAction := event(t, org, at(2), func(d *domain.AuditEventData) { d.Action = domain.ActionView })
	byPath := event(t, org, at(3), func(d *domain.AuditEventData) { d.FilePath = org + "/workspace/doc/d1/b_c.txt" })
	byRelated := event(t, org, at(4), func(d *domain.AuditEventData) { d.RelatedObjectType, d.RelatedObjectID = "receipt", "r1" })
	byRelatedID := event(t, org, at(5), func(d *domain.AuditEventData) { d.RelatedObjectType, d.RelatedObjectID = "receipt", "r2" })
	failed := event(t, org, at(6), func(d *domain.AuditEventData) { d.Success, d.ErrorMessage = false, "denied" })
	foreign := event(t, newOrg(), at(7), func(d *domain.AuditEventData) { d.Actor.UserID = "user-2" })
	appendAll(t, fx, plain, byUser, byAction, byPath, byRelated, byRelatedID, failed, foreign)

	yes, no := true, false
	for _, tc := range []struct {
		name string
		q    application.AuditQuery
		want []*domain.AuditEvent
	}{
		{"org only, newest first", application.AuditQuery{OrgID: org},
			[]*domain.AuditEvent{failed, byRelatedID, byRelated, byPath, byAction, byUser, plain}},
		{"user", application.AuditQuery{OrgID: org, UserID: "user-2"}, []*domain.AuditEvent{byUser}},
		{"action", application.AuditQuery{OrgID: org, Action: domain.ActionView}, []*domain.AuditEvent{byAction}},
		{"file path is exact", application.AuditQuery{OrgID: org, FilePath: org + "/workspace/doc/d1/b_c.txt"}, []*domain.AuditEvent{byPath}},
		{"file path with wildcard-like characters", application.AuditQuery{OrgID: org, FilePath: org + "/workspace/doc/d1/b%"}, nil},
		{"related type", application.AuditQuery{OrgID: org, RelatedObjectType: "receipt"}, []*domain.AuditEvent{byRelatedID, byRelated}},
		{"related type and id", application.AuditQuery{OrgID: org, RelatedObjectType: "receipt", RelatedObjectID: "r1"}, []*domain.AuditEvent{byRelated}},
		{"failed only", application.AuditQuery{OrgID: org, Success: &no}, []*domain.AuditEvent{failed}},
		{"succeeded only", application.AuditQuery{OrgID: org, Success: &yes},
			[]*domain.AuditEvent{byRelatedID, byRelated, byPath, byAction, byUser, plain}},
		{"filters combine", application.AuditQuery{OrgID: org, UserID: "user-1", Action: domain.ActionUpload, Success: &yes, RelatedObjectID: "r2"},
			[]*domain.AuditEvent{byRelatedID}},
		{"limit", application.AuditQuery{OrgID: org, Limit: 2}, []*domain.AuditEvent{failed, byRelatedID}},
		{"unknown org", application.AuditQuery{OrgID: newOrg()}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := query(t, fx, tc.q)
			require.Equal(t, ids(tc.want), ids(got), "got %v, want %v", ids(got), ids(tc.want))
		})
	}
}

func testAuditTimeRange(t *testing.T, fx Fixture) {
	org := newOrg()
	var evs []*domain.AuditEvent
	for i := range 4 {
		evs = append(evs, event(t, org, base.Add(time.Duration(i)*time.Hour), nil))
	}
	appendAll(t, fx, evs...)
	from, to := evs[1].Timestamp(), evs[3].Timestamp()
	got := query(t, fx, application.AuditQuery{OrgID: org, From: from, To: to})
	require.Equal(t, ids([]*domain.AuditEvent{evs[2], evs[1]}), ids(got), "From is inclusive, To exclusive")
	got = query(t, fx, application.AuditQuery{OrgID: org, From: from.Add(time.Microsecond)})
	require.Equal(t, ids([]*domain.AuditEvent{evs[3], evs[2]}), ids(got))
	got = query(t, fx, application.AuditQuery{OrgID: org, To: to.Add(time.Microsecond)})
	require.Equal(t, ids([]*domain.AuditEvent{evs[3], evs[2], evs[1], evs[0]}), ids(got))
	// Bounds in another zone mean the same instants.
	got = query(t, fx, application.AuditQuery{OrgID: org, From: from.In(time.FixedZone("X", -5*3600)), To: to.In(time.FixedZone("Y", 9*3600))})
	require.Equal(t, ids([]*domain.AuditEvent{evs[2], evs[1]}), ids(got))
}

func testAuditInvalidQuery(t *testing.T, fx Fixture) {
	for _, q := range []application.AuditQuery{{Limit: 10}, {OrgID: newOrg()}, {OrgID: newOrg(), Limit: -1}} {
		_, err := fx.Audit.Query(ctx(t), q)
		requireKind(t, err, domain.ErrInvalid, "")
	}
}
