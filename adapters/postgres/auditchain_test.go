package postgres_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/domain"
)

// chainFixture is a database with its audit log and chain, and the use
// cases that seal and verify them.
type chainFixture struct {
	db    *postgres.DB
	audit *postgres.AuditLog
	chain *postgres.AuditChain
	app   *application.Application
	key   ed25519.PrivateKey
	ids   []string // the events of org-1, in the order appended
}

func newChainFixture(t testing.TB, db *postgres.DB) *chainFixture {
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	f := &chainFixture{db: db, audit: postgres.NewAuditLog(db), chain: postgres.NewAuditChain(db), key: key}
	f.app = application.New(nil, nil, f.audit, nil, nil, f.chain, nil, application.SystemClock{},
		application.Options{Chain: application.ChainOptions{SigningKey: key, CheckpointInterval: time.Nanosecond}})
	return f
}

// event appends an event of org at ts, with metadata that exercises the
// canonical encoding (nested maps, numbers, HTML and non-ASCII text).
func (f *chainFixture) event(t testing.TB, org string, ts time.Time) string {
	id := fmt.Sprintf("%s-%d", org, ts.UnixNano())
	e, err := domain.NewAuditEvent(domain.AuditEventData{ID: id, Timestamp: ts,
		Actor:  domain.Actor{UserID: "u-1", Role: domain.RoleAdmin, OrgID: org, IP: "10.0.0.1", UserAgent: "test/1"},
		Action: domain.ActionUpload, FilePath: org + "/hr/employee/1/a.pdf", RelatedObjectType: "employee", RelatedObjectID: "1",
		Metadata: map[string]any{"size": 12345, "ratio": 0.25, "name": "<a&b> ünï", "nested": map[string]any{"z": 1, "a": []any{"x", 2}}},
		Success:  true})
	require.NoError(t, err)
	require.NoError(t, f.audit.Append(t.Context(), e))
	if org == "org-1" {
		f.ids = append(f.ids, id)
	}
	return id
}

// seal seals until want events are linked: on PostgreSQL an event waits
// for every transaction older than its own to end, and the other tests'
// databases share the server's transactions.
func (f *chainFixture) seal(t *testing.T, want int64) application.SealReport {
	var total application.SealReport
	deadline := time.Now().Add(10 * time.Second)
	for total.Linked < want && time.Now().Before(deadline) {
		rep, err := f.app.SealAudit.Run(t.Context(), true)
		require.NoError(t, err)
		total.Linked += rep.Linked
		total.Checkpoints += rep.Checkpoints
		if total.Linked < want {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return total
}

func (f *chainFixture) verify(t *testing.T, pinned *domain.SignedCheckpoint) string {
	rep, err := f.app.VerifyAudit.Run(t.Context(), application.VerifyAuditCommand{Pinned: pinned})
	require.NoError(t, err)
	return rep.Problem
}

// superuser runs statements with the append-only triggers out of the way,
// as a database superuser or someone with the disk could.
func (f *chainFixture) superuser(t *testing.T, stmts ...string) {
	ctx := t.Context()
	conn, err := f.db.SQL().Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	if f.db.Dialect() == postgres.DialectPostgres {
		_, err := conn.ExecContext(ctx, "SET session_replication_role = replica")
		require.NoError(t, err)
		defer conn.ExecContext(context.Background(), "RESET session_replication_role")
		for _, s := range stmts {
			_, err := conn.ExecContext(ctx, s)
			require.NoError(t, err, s)
		}
		return
	}
	rows, err := conn.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
	require.NoError(t, err)
	var triggers [][2]string
	for rows.Next() {
		var tr [2]string
		require.NoError(t, rows.Scan(&tr[0], &tr[1]))
		triggers = append(triggers, tr)
	}
	require.NoError(t, rows.Close())
	for _, tr := range triggers {
		_, err := conn.ExecContext(ctx, "DROP TRIGGER "+tr[0])
		require.NoError(t, err)
	}
	for _, s := range stmts {
		_, err := conn.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	for _, tr := range triggers {
		_, err := conn.ExecContext(ctx, tr[1])
		require.NoError(t, err)
	}
}

// testAuditChainTampering seals two orgs' events, then checks that
// verification passes on the intact log and names the first bad event
// after each kind of tampering.
func testAuditChainTampering(t *testing.T, newDB func(t testing.TB) *postgres.DB) {
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	seeded := func(t *testing.T) (*chainFixture, domain.SignedCheckpoint) {
		f := newChainFixture(t, newDB(t))
		for i := range 5 {
			f.event(t, "org-1", base.Add(time.Duration(i)*time.Second))
			f.event(t, "org-2", base.Add(time.Duration(i)*time.Second+time.Millisecond))
		}
		rep := f.seal(t, 10)
		require.Equal(t, int64(10), rep.Linked)
		require.GreaterOrEqual(t, rep.Checkpoints, int64(2), "one per org at least (more when PostgreSQL sealed in steps)")
		cp, err := f.chain.LatestCheckpoint(t.Context(), "org-1")
		require.NoError(t, err)
		require.Equal(t, int64(5), cp.Seq)
		require.Empty(t, f.verify(t, nil), "intact log")
		require.Empty(t, f.verify(t, &cp), "intact log, pinned")
		return f, cp
	}
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, f *chainFixture)
		pinned bool
		want   func(ids []string) []string // what the problem names, given org-1's event ids; nil: intact
	}{
		{"intact", func(*testing.T, *chainFixture) {}, true, nil},
		{"edited", func(t *testing.T, f *chainFixture) {
			f.superuser(t, "UPDATE storage_audit_logs SET success = false, error_message = 'x' WHERE id = '"+f.ids[2]+"'")
		}, false, func(ids []string) []string { return []string{"seq 3", ids[2], "was edited"} }},
		{"edited metadata", func(t *testing.T, f *chainFixture) {
			meta := `'{"size": 12346}'`
			f.superuser(t, "UPDATE storage_audit_logs SET metadata = "+meta+" WHERE id = '"+f.ids[1]+"'")
		}, false, func(ids []string) []string { return []string{"seq 2", ids[1], "was edited"} }},
		{"deleted", func(t *testing.T, f *chainFixture) {
			f.superuser(t, "DELETE FROM storage_audit_logs WHERE id = '"+f.ids[2]+"'")
		}, false, func(ids []string) []string { return []string{"seq 3", ids[2], "was deleted"} }},
		{"deleted with its link", func(t *testing.T, f *chainFixture) {
			f.superuser(t, "DELETE FROM storage_audit_logs WHERE id = '"+f.ids[2]+"'",
				"DELETE FROM storage_audit_chain WHERE event_id = '"+f.ids[2]+"'")
		}, false, func(ids []string) []string { return []string{"seq 3 to 3 missing", ids[1]} }},
		{"inserted", func(t *testing.T, f *chainFixture) {
			f.event(t, "org-1", base.Add(1500*time.Millisecond)) // no trigger stops an insert
		}, false, func(ids []string) []string { return []string{"not in the chain", "inserted"} }},
		{"reordered", func(t *testing.T, f *chainFixture) {
			f.superuser(t, "UPDATE storage_audit_chain SET seq = -1 WHERE event_id = '"+f.ids[1]+"'",
				"UPDATE storage_audit_chain SET seq = 2 WHERE event_id = '"+f.ids[2]+"'",
				"UPDATE storage_audit_chain SET seq = 3 WHERE event_id = '"+f.ids[1]+"'")
		}, false, func(ids []string) []string { return []string{"seq 2", ids[2], "out of order"} }},
		{"edited and the chain rewritten", func(t *testing.T, f *chainFixture) {
			f.superuser(t, "UPDATE storage_audit_logs SET user_id = 'someone-else' WHERE id = '"+f.ids[2]+"'")
			f.superuser(t, f.rewrite(t, 3)...)
			// The first checkpoint past the rewrite names it: the one at
			// seq 5, or one at 3 or 4 when the seal linked the events in
			// more than one run (on PostgreSQL an event waits for older
			// transactions of the server, other tests' included).
		}, false, func(ids []string) []string {
			return []string{"does not match the checkpoint at seq", "the chain up to it was rewritten"}
		}},
		{"newest deleted with their checkpoint, no pin", func(t *testing.T, f *chainFixture) {
			f.deleteTail(t)
		}, false, nil},
		{"newest deleted with their checkpoint, pinned", func(t *testing.T, f *chainFixture) {
			f.deleteTail(t)
		}, true, func(ids []string) []string {
			return []string{"pins seq 5", "ends at seq 3", ids[2], "newest events were deleted"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, cp := seeded(t)
			tc.tamper(t, f)
			var pin *domain.SignedCheckpoint
			if tc.pinned {
				pin = &cp
			}
			got := f.verify(t, pin)
			if tc.want == nil {
				require.Empty(t, got)
				return
			}
			for _, w := range tc.want(f.ids) {
				require.Contains(t, got, w)
			}
			require.True(t, strings.HasPrefix(got, "org org-1: "), got)
		})
	}
}

// rewrite returns the statements that recompute org-1's links from seq
// from on, as someone who knows the hash but not the signing key would.
func (f *chainFixture) rewrite(t *testing.T, from int64) []string {
	var links []domain.ChainLink
	var events []*domain.AuditEvent
	require.NoError(t, f.chain.Links(t.Context(), "org-1", 0, func(l domain.ChainLink, e *domain.AuditEvent) error {
		links, events = append(links, l), append(events, e)
		return nil
	}))
	var stmts []string
	prev := domain.GenesisHash
	for i, l := range links {
		if l.Seq >= from {
			h, err := domain.ChainHash(events[i].Data(), l.Seq, prev)
			require.NoError(t, err)
			stmts = append(stmts, fmt.Sprintf("UPDATE storage_audit_chain SET prev_hash = '%s', hash = '%s' WHERE event_id = '%s'",
				prev, h, l.EventID))
			l.Hash = h
		}
		prev = l.Hash
	}
	return stmts
}

// deleteTail removes org-1's two newest events, their links and the
// checkpoints covering them.
func (f *chainFixture) deleteTail(t *testing.T) {
	f.superuser(t,
		"DELETE FROM storage_audit_logs WHERE id IN ('"+f.ids[3]+"', '"+f.ids[4]+"')",
		"DELETE FROM storage_audit_chain WHERE event_id IN ('"+f.ids[3]+"', '"+f.ids[4]+"')",
		"DELETE FROM storage_audit_checkpoints WHERE org_id = 'org-1' AND seq >= 4")
}

func TestSQLiteAuditChainTampering(t *testing.T) {
	t.Parallel()
	testAuditChainTampering(t, newSQLite)
}

func TestPostgresAuditChainTampering(t *testing.T) {
	t.Parallel()
	testAuditChainTampering(t, newPostgres)
}

// TestPostgresSealerWaitsForTransactionsInFlight: an event inserted by a
// transaction still open holds back the events committed after it began,
// whatever their timestamps, and is linked once it commits; events
// committed out of timestamp order are linked in commit horizon order, and
// the chain verifies.
func TestPostgresSealerWaitsForTransactionsInFlight(t *testing.T) {
	t.Parallel()
	f := newChainFixture(t, newPostgres(t))
	ctx := t.Context()
	base := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond)

	first := f.event(t, "org-1", base.Add(3*time.Second)) // committed before the open transaction began
	require.Equal(t, int64(1), f.seal(t, 1).Linked)

	open, err := f.db.SQL().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer open.Rollback()
	early := "org-1-early"
	_, err = open.ExecContext(ctx, `INSERT INTO storage_audit_logs (id, timestamp, org_id, user_id, action_type, success)
		VALUES ($1, $2, 'org-1', 'u-1', 'VIEW', true)`, early, base) // the oldest timestamp of all
	require.NoError(t, err)
	later := f.event(t, "org-1", base.Add(2*time.Second)) // committed while early's transaction is open

	rep, err := f.app.SealAudit.Run(ctx, true)
	require.NoError(t, err)
	require.Zero(t, rep.Linked, "later began after the open transaction: it must wait for it")

	require.NoError(t, open.Commit())
	require.Equal(t, int64(2), f.seal(t, 2).Linked)

	var order []string
	require.NoError(t, f.chain.Links(ctx, "org-1", 0, func(l domain.ChainLink, _ *domain.AuditEvent) error {
		order = append(order, l.EventID)
		return nil
	}))
	require.Equal(t, []string{first, early, later}, order, "sealed first, then the settled batch by timestamp")
	require.Empty(t, f.verify(t, nil))
}

// TestPostgresOneSealerAtATime: while a sealer holds the seal, another
// finds it busy and does nothing; afterwards it seals.
func TestPostgresOneSealerAtATime(t *testing.T) {
	t.Parallel()
	db := newPostgres(t)
	f := newChainFixture(t, db)
	other := newChainFixture(t, db)
	f.event(t, "org-1", time.Now().Add(-time.Second))

	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := f.chain.Seal(t.Context(), func(context.Context, application.SealTx) error {
			close(holding)
			<-release
			return nil
		})
		done <- err
	}()
	<-holding
	rep, err := other.app.SealAudit.Run(t.Context(), true)
	require.NoError(t, err)
	require.Equal(t, application.SealReport{Busy: true}, rep)
	close(release)
	require.NoError(t, <-done)

	require.Equal(t, int64(1), other.seal(t, 1).Linked)
	require.Empty(t, other.verify(t, nil))
}

// TestAuditChainIsAppendOnly: the links and checkpoints refuse UPDATE and
// DELETE like the audit table, on both dialects.
func TestAuditChainIsAppendOnly(t *testing.T) {
	t.Parallel()
	for name, newDB := range dialects {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newChainFixture(t, newDB(t))
			f.event(t, "org-1", time.Now().Add(-time.Second))
			f.seal(t, 1)
			for _, stmt := range []string{
				"UPDATE storage_audit_chain SET hash = 'x'",
				"DELETE FROM storage_audit_chain",
				"UPDATE storage_audit_checkpoints SET head_hash = 'x'",
				"DELETE FROM storage_audit_checkpoints",
			} {
				_, err := f.db.SQL().ExecContext(t.Context(), stmt)
				require.ErrorContains(t, err, "append-only", stmt)
			}
			if name == "sqlite" {
				_, err := f.db.SQL().ExecContext(t.Context(), "INSERT OR REPLACE INTO storage_audit_chain "+
					"SELECT event_id, org_id, seq, prev_hash, 'x', sealed_at FROM storage_audit_chain")
				require.ErrorContains(t, err, "append-only")
			} else {
				_, err := f.db.SQL().ExecContext(t.Context(), "TRUNCATE storage_audit_chain, storage_audit_checkpoints")
				require.ErrorContains(t, err, "append-only")
			}
		})
	}
}

// setClock is an application.Clock a test moves.
type setClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *setClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *setClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// TestSealSignsOnceARun: a seal run of more events than one batch links
// them all and signs each org's checkpoint once, in its last batch, not
// in every batch.
func TestSealSignsOnceARun(t *testing.T) {
	t.Parallel()
	f := newChainFixture(t, newSQLite(t))
	f.event(t, "org-1", time.Now().Add(-time.Minute))
	// 1,499 copies of it in one transaction (one commit each would take
	// seconds): 1,500 events, a batch and a half.
	cols := "timestamp, org_id, user_id, user_role, ip_address, user_agent, action_type, file_path, " +
		"related_object_type, related_object_id, metadata, success, error_message"
	_, err := f.db.SQL().ExecContext(t.Context(), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1499) "+
		"INSERT INTO storage_audit_logs (id, "+cols+") SELECT id || '-' || n.i, "+cols+" FROM storage_audit_logs, n")
	require.NoError(t, err)
	rep, err := f.app.SealAudit.Run(t.Context(), false)
	require.NoError(t, err)
	require.EqualValues(t, 1500, rep.Linked)
	require.EqualValues(t, 1, rep.Checkpoints, "checkpoints signed by a run of two batches")
	vrep, err := f.app.VerifyAudit.Run(t.Context(), application.VerifyAuditCommand{})
	require.NoError(t, err)
	require.Empty(t, vrep.Problem)
}

// TestSQLiteSealFollowsCommitOrder: on SQLite a periodic seal links every
// event committed since the last one, in commit order, an event committed
// long after its timestamp too; a full seal then finds nothing left; an
// event below the cursor waits for the next wide seal.
func TestSQLiteSealFollowsCommitOrder(t *testing.T) {
	t.Parallel()
	f := newChainFixture(t, newSQLite(t))
	clock := &setClock{now: time.Now()}
	f.app = application.New(nil, nil, f.audit, nil, nil, f.chain, nil, clock, application.Options{})
	start := clock.Now()
	seal := func(full bool) int64 {
		rep, err := f.app.SealAudit.Run(t.Context(), full)
		require.NoError(t, err)
		return rep.Linked
	}
	f.event(t, "org-1", start.Add(-time.Second))
	require.EqualValues(t, 1, seal(true), "a full seal")

	f.event(t, "org-1", start.Add(-2*time.Second))  // recent
	f.event(t, "org-1", start.Add(-20*time.Minute)) // committed late
	clock.set(start.Add(time.Second))
	require.EqualValues(t, 2, seal(false), "a narrow periodic seal links every event committed since, the late one too")
	f.event(t, "org-1", start.Add(-30*time.Minute))
	clock.set(start.Add(2 * time.Second))
	require.EqualValues(t, 1, seal(false), "narrow again")
	require.EqualValues(t, 0, seal(true), "a full seal finds nothing left")

	// An event below the cursor (as after rowids were renumbered) is left
	// by narrow seals and linked by the next wide one.
	id := f.event(t, "org-1", start.Add(-3*time.Second))
	var rowid int64
	require.NoError(t, f.db.SQL().QueryRowContext(t.Context(), "SELECT rowid FROM storage_audit_logs WHERE id = ?", id).Scan(&rowid))
	f.chain.SetSQLiteCursor(rowid)
	clock.set(start.Add(3 * time.Second))
	require.EqualValues(t, 0, seal(false), "a narrow seal scans from the cursor only")
	clock.set(start.Add(33 * time.Second)) // 30 s after the full seal's wide look
	require.EqualValues(t, 1, seal(false), "the wide periodic seal finds the cursor again and links it")
	rep, err := f.app.VerifyAudit.Run(t.Context(), application.VerifyAuditCommand{})
	require.NoError(t, err)
	require.Empty(t, rep.Problem)
}
