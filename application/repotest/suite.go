// Package repotest is the conformance suite of the persistence ports
// (application.FileRepository, application.AuditLog,
// application.UploadSessions, application.IdempotencyKeys and the application.Transactor over them). Every adapter runs it: adapters/postgres on
// PostgreSQL and on SQLite, and any fake.
package repotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"storagegw/application"
	"storagegw/domain"
)

// Fixture is one store under test.
type Fixture struct {
	Files    application.FileRepository
	Audit    application.AuditLog
	Sessions application.UploadSessions // nil: the store keeps no upload sessions
	Tus      application.TusUploads     // nil: the store keeps no TUS uploads
	// Idempotency is the store's Idempotency-Keys; nil: it keeps none.
	Idempotency application.IdempotencyKeys
	// Links is the store's signed-URL links; nil: it keeps none.
	Links application.Links
	// Versions is the store's file versions, over Files' usage; nil: it
	// keeps none.
	Versions application.FileVersions
	// Tx is the store's unit of work over Files, Audit and Sessions.
	Tx application.Transactor

	// Exec runs raw SQL on the store's database, for the checks that the
	// audit trail refuses updates and deletes whatever the service does.
	// Leave it nil for a store without SQL (a fake with no way to change an
	// event); those checks are then not run.
	Exec func(ctx context.Context, query string) error

	// Truncate reports whether the database has TRUNCATE (PostgreSQL),
	// which the audit trail must refuse too.
	Truncate bool

	// OneWriter reports that a transaction holds the whole store's write
	// lock until it ends (SQLite): every other write waits for it, so the
	// usage suite checks there that a write waiting on an open usage write
	// completes once that commits, rather than while it is open.
	OneWriter bool

	// Replace reports whether the database has REPLACE conflict resolution
	// (SQLite's INSERT OR REPLACE and REPLACE INTO), which must not rewrite
	// an audit row either.
	Replace bool
}

// Run runs the whole suite. open is called once for the file repository
// tests and once for the audit tests; it may return the same store both
// times, since every test works in orgs of its own.
func Run(t *testing.T, open func(t *testing.T) Fixture) {
	t.Run("FileRepository", func(t *testing.T) {
		fx := open(t)
		t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testRoundTrip(t, fx) })
		t.Run("CreateErrors", func(t *testing.T) { t.Parallel(); testCreateErrors(t, fx) })
		t.Run("OptimisticUpdate", func(t *testing.T) { t.Parallel(); testOptimisticUpdate(t, fx) })
		t.Run("OptimisticDelete", func(t *testing.T) { t.Parallel(); testOptimisticDelete(t, fx) })
		t.Run("List", func(t *testing.T) { t.Parallel(); testList(t, fx) })
		t.Run("ListPaging", func(t *testing.T) { t.Parallel(); testListPaging(t, fx) })
		t.Run("ConcurrentCreate", func(t *testing.T) { t.Parallel(); testConcurrentCreate(t, fx) })
		t.Run("ConcurrentGets", func(t *testing.T) { t.Parallel(); testConcurrentGets(t, fx) })
		t.Run("ConcurrentUpdate", func(t *testing.T) { t.Parallel(); testConcurrentUpdate(t, fx) })
		t.Run("ConcurrentRetries", func(t *testing.T) { t.Parallel(); testConcurrentRetries(t, fx) })
		t.Run("ListOrgs", func(t *testing.T) { t.Parallel(); testListOrgs(t, fx) })
		t.Run("PurgeClaimDue", func(t *testing.T) { t.Parallel(); testPurgeClaimDue(t, fx) })
		t.Run("PurgeClaimPaging", func(t *testing.T) { t.Parallel(); testPurgeClaimPaging(t, fx) })
		t.Run("PurgeClaimSaves", func(t *testing.T) { t.Parallel(); testPurgeClaimSaves(t, fx) })
		t.Run("PurgeClaimConcurrent", func(t *testing.T) { t.Parallel(); testPurgeClaimConcurrent(t, fx) })
		t.Run("ListLapsed", func(t *testing.T) { t.Parallel(); testListLapsed(t, fx) })
	})
	t.Run("Usage", func(t *testing.T) { runUsage(t, open(t)) })
	t.Run("Purge", func(t *testing.T) {
		fx := open(t)
		t.Run("Racing", func(t *testing.T) { t.Parallel(); testPurgeRacing(t, fx) })
	})
	t.Run("UploadSessions", func(t *testing.T) {
		if fx := open(t); fx.Sessions != nil {
			runSessions(t, fx)
		}
	})
	t.Run("TusUploads", func(t *testing.T) {
		if fx := open(t); fx.Tus != nil {
			runTus(t, fx)
		}
	})
	t.Run("IdempotencyKeys", func(t *testing.T) {
		if fx := open(t); fx.Idempotency != nil {
			runIdempotencyKeys(t, fx)
		}
	})
	t.Run("Links", func(t *testing.T) {
		if fx := open(t); fx.Links != nil {
			runLinks(t, fx)
		}
	})
	t.Run("FileVersions", func(t *testing.T) {
		if fx := open(t); fx.Versions != nil {
			runVersions(t, fx)
		}
	})
	t.Run("Transactor", func(t *testing.T) {
		if fx := open(t); fx.Tx != nil {
			runTx(t, fx)
		}
	})
	t.Run("AuditLog", func(t *testing.T) { RunAuditLog(t, open(t)) })
}

// RunAuditLog runs the audit tests of Run on their own, for an
// application.AuditLog that is not a whole store (adapters/postgres's
// group-commit writer); fx.Files and fx.Sessions are not used.
func RunAuditLog(t *testing.T, fx Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testAuditRoundTrip(t, fx) })
	t.Run("DuplicateID", func(t *testing.T) { t.Parallel(); testAuditDuplicate(t, fx) })
	t.Run("HostileText", func(t *testing.T) { t.Parallel(); testAuditHostileText(t, fx) })
	t.Run("Filters", func(t *testing.T) { t.Parallel(); testAuditFilters(t, fx) })
	t.Run("TimeRange", func(t *testing.T) { t.Parallel(); testAuditTimeRange(t, fx) })
	t.Run("Paging", func(t *testing.T) { t.Parallel(); testAuditPaging(t, fx) })
	t.Run("InvalidQuery", func(t *testing.T) { t.Parallel(); testAuditInvalidQuery(t, fx) })
	t.Run("ConcurrentAppend", func(t *testing.T) { t.Parallel(); testAuditConcurrentAppend(t, fx) })
	if fx.Exec != nil { // a store without SQL has no statement to refuse
		t.Run("AppendOnly", func(t *testing.T) { t.Parallel(); testAppendOnly(t, fx) })
	}
	if il, ok := fx.Audit.(application.LinkIssuingLog); ok && fx.Links != nil {
		t.Run("LinkIssuing", func(t *testing.T) { runLinkIssuing(t, fx, il) })
	}
}

// base is a fixed, deliberately non-round instant (nanoseconds included):
// stores keep microseconds.
var base = time.Date(2026, 1, 26, 15, 30, 45, 123456789, time.UTC)

func newOrg() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "org-" + hex.EncodeToString(b)
}

func path(t *testing.T, s string) domain.StoragePath {
	t.Helper()
	p, err := domain.ParseStoragePath(s)
	require.NoError(t, err, s)
	return p
}

// requireKind fails unless err matches kind and, when code is set, carries
// that domain error code.
func requireKind(t *testing.T, err, kind error, code string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind, "got %v, want kind %v", err, kind)
	if code != "" {
		var de *domain.Error
		require.True(t, errors.As(err, &de), "got %v, want a *domain.Error", err)
		require.Equal(t, code, de.Code, "got code %q, want %q (%v)", de.Code, code, err)
	}
}

// micro is how a store returns t: UTC, microseconds.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func ctx(t *testing.T) context.Context { return t.Context() }

func newID() string { return uuid.NewString() }
