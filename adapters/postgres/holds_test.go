package postgres_test

import (
	"testing"

	"storagegw/adapters/postgres"
	"storagegw/application"
	"storagegw/application/repotest"
)

func TestSQLiteLegalHolds(t *testing.T) {
	t.Parallel()
	repotest.RunLegalHolds(t, func(t *testing.T) (application.LegalHolds, application.Transactor) {
		db := newSQLite(t)
		return postgres.NewLegalHolds(db), db
	})
}

func TestPostgresLegalHolds(t *testing.T) {
	t.Parallel()
	repotest.RunLegalHolds(t, func(t *testing.T) (application.LegalHolds, application.Transactor) {
		db := newPostgres(t)
		return postgres.NewLegalHolds(db), db
	})
}
