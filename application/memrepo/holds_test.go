package memrepo_test

import (
	"testing"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/application/repotest"
)

func TestLegalHoldsConformance(t *testing.T) {
	repotest.RunLegalHolds(t, func(*testing.T) (application.LegalHolds, application.Transactor) {
		return memrepo.NewLegalHolds(), memrepo.NewTransactor()
	})
}
