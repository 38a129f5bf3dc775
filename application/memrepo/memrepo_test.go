package memrepo_test

import (
	"testing"

	"storagegw/application/memrepo"
	"storagegw/application/repotest"
)

// The fakes pass the same conformance suite as the database adapters.
func TestConformance(t *testing.T) {
	repotest.Run(t, func(*testing.T) repotest.Fixture {
		return repotest.Fixture{Files: memrepo.NewFiles(), Audit: memrepo.NewAudit(), Sessions: memrepo.NewSessions(), Tus: memrepo.NewTusUploads(),
			Tx: memrepo.NewTransactor(), Idempotency: memrepo.NewIdempotencyKeys(), Links: memrepo.NewLinks()}
	})
}
