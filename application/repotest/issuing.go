package repotest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// runLinkIssuing is the application.LinkIssuingLog part of the audit
// tests, for a log that has it and a store that keeps links: a link and
// its event are stored together or not at all.
func runLinkIssuing(t *testing.T, fx Fixture, il application.LinkIssuingLog) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testIssuingRoundTrip(t, fx, il) })
	t.Run("TakenIDs", func(t *testing.T) { t.Parallel(); testIssuingTaken(t, fx, il) })
	t.Run("Concurrent", func(t *testing.T) { t.Parallel(); testIssuingConcurrent(t, fx, il) })
	if fx.Tx != nil {
		t.Run("RolledBack", func(t *testing.T) { t.Parallel(); testIssuingRolledBack(t, fx, il) })
	}
}

// issued is an event recording the issue of l.
func issued(t *testing.T, l *domain.Link) *domain.AuditEvent {
	return event(t, l.OrgID(), base, func(d *domain.AuditEventData) {
		d.Action, d.FilePath = domain.ActionSignedURLGenerated, l.FilePath()
		d.Metadata = map[string]any{"link_id": l.ID()}
	})
}

// requireIssued fails unless l and e are both stored (want) or neither is.
func requireIssued(t *testing.T, fx Fixture, l *domain.Link, e *domain.AuditEvent, want bool) {
	t.Helper()
	_, err := fx.Links.Get(ctx(t), l.ID())
	if want {
		require.NoError(t, err, "link %s", l.ID())
	} else {
		requireKind(t, err, domain.ErrNotFound, "")
	}
	got, err := fx.Audit.Query(ctx(t), application.AuditQuery{OrgID: e.Data().Actor.OrgID, Limit: 1000})
	require.NoError(t, err)
	require.Equal(t, want, contains(got, e.ID()), "event %s stored", e.ID())
}

func contains(events []*domain.AuditEvent, id string) bool {
	for _, e := range events {
		if e.ID() == id {
			return true
		}
	}
	return false
}

func testIssuingRoundTrip(t *testing.T, fx Fixture, il application.LinkIssuingLog) {
	l := newLink(t, newOrg(), "a.pdf", 2)
	e := issued(t, l)
	require.NoError(t, il.AppendIssuing(ctx(t), l, e))
	requireIssued(t, fx, l, e, true)
	got, err := fx.Links.Get(ctx(t), l.ID())
	require.NoError(t, err)
	want := l.Data()
	want.CreatedAt, want.ExpiresAt = micro(want.CreatedAt), micro(want.ExpiresAt)
	require.Equal(t, want, got.Data())
}

// testIssuingTaken: a link id or an event id already taken is ErrExists,
// and the other row of the pair is not stored either.
func testIssuingTaken(t *testing.T, fx Fixture, il application.LinkIssuingLog) {
	org := newOrg()
	taken := newLink(t, org, "a.pdf", 0)
	require.NoError(t, fx.Links.Create(ctx(t), taken))
	e := issued(t, taken)
	requireKind(t, il.AppendIssuing(ctx(t), taken, e), domain.ErrExists, "")
	got, err := fx.Audit.Query(ctx(t), application.AuditQuery{OrgID: org, Limit: 10})
	require.NoError(t, err)
	require.False(t, contains(got, e.ID()), "the event of a taken link was stored")

	l := newLink(t, org, "b.pdf", 0)
	stored := issued(t, l)
	require.NoError(t, fx.Audit.Append(ctx(t), stored))
	requireKind(t, il.AppendIssuing(ctx(t), l, stored), domain.ErrExists, "")
	_, err = fx.Links.Get(ctx(t), l.ID())
	requireKind(t, err, domain.ErrNotFound, "")
}

// testIssuingConcurrent: 40 callers at once (a group-commit writer puts
// them in shared commits), one of them with a link id already taken: only
// that one fails, and every other link and event is stored.
func testIssuingConcurrent(t *testing.T, fx Fixture, il application.LinkIssuingLog) {
	org := newOrg()
	taken := newLink(t, org, "taken.pdf", 0)
	require.NoError(t, fx.Links.Create(ctx(t), taken))
	const callers = 40
	links := make([]*domain.Link, callers)
	events := make([]*domain.AuditEvent, callers)
	errs := make([]error, callers)
	for i := range callers {
		links[i] = newLink(t, org, "a.pdf", 0)
		if i == callers/2 {
			links[i] = taken
		}
		events[i] = issued(t, links[i])
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			errs[i] = il.AppendIssuing(context.Background(), links[i], events[i])
		})
	}
	close(start)
	wg.Wait()
	got, err := fx.Audit.Query(ctx(t), application.AuditQuery{OrgID: org, Limit: 1000})
	require.NoError(t, err)
	for i := range callers {
		if i == callers/2 {
			requireKind(t, errs[i], domain.ErrExists, "")
			require.False(t, contains(got, events[i].ID()), "the event of the taken link was stored")
			continue
		}
		require.NoError(t, errs[i], "caller %d", i)
		require.True(t, contains(got, events[i].ID()), "event of caller %d", i)
		_, err := fx.Links.Get(ctx(t), links[i].ID())
		require.NoError(t, err, "link of caller %d", i)
	}
}

// testIssuingRolledBack: inside a transaction the pair commits with it,
// and a rollback keeps neither.
func testIssuingRolledBack(t *testing.T, fx Fixture, il application.LinkIssuingLog) {
	l := newLink(t, newOrg(), "a.pdf", 0)
	e := issued(t, l)
	boom := errors.New("boom")
	err := fx.Tx.InTx(ctx(t), func(ctx context.Context) error {
		if err := il.AppendIssuing(ctx, l, e); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	requireIssued(t, fx, l, e, false)

	kept := newLink(t, newOrg(), "b.pdf", 0)
	ke := issued(t, kept)
	require.NoError(t, fx.Tx.InTx(ctx(t), func(ctx context.Context) error { return il.AppendIssuing(ctx, kept, ke) }))
	requireIssued(t, fx, kept, ke, true)
}
