package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/domain"
)

func TestOpenRejectsEmptyDSN(t *testing.T) {
	_, err := postgres.Open(t.Context(), " ", postgres.Options{})
	require.ErrorIs(t, err, domain.ErrInvalid)
}

func TestUnreachablePostgresIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	// Port 1 on localhost refuses connections.
	_, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", postgres.Options{})
	require.ErrorIs(t, err, domain.ErrUnavailable, "got %v", err)
}

func TestClosedDatabaseIsUnavailable(t *testing.T) {
	db := newSQLite(t)
	require.NoError(t, db.Close())
	p := domain.MustParseStoragePath("org-1/workspace/doc/d1/a.txt")
	_, err := postgres.NewFileRepo(db).Get(t.Context(), p)
	require.ErrorIs(t, err, domain.ErrUnavailable, "got %v", err)
	require.ErrorIs(t, db.Ping(t.Context()), domain.ErrUnavailable)
}

func TestCanceledContextIsUnavailable(t *testing.T) {
	db := newSQLite(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := postgres.NewAuditLog(db).Query(ctx, application.AuditQuery{OrgID: "org-1", Limit: 1})
	require.ErrorIs(t, err, domain.ErrUnavailable, "got %v", err)
}
