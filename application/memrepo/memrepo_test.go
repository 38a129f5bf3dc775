package memrepo_test

import (
	"testing"

	"storagegw/application/memrepo"
	"storagegw/application/repotest"
)

// The fakes pass the same conformance suite as the database adapters.
func TestConformance(t *testing.T) {
	repotest.Run(t, func(*testing.T) repotest.Fixture {
		files := memrepo.NewFiles()
		return repotest.Fixture{Files: files, Versions: memrepo.NewVersions(files), Audit: memrepo.NewAudit(), Sessions: memrepo.NewSessions(), Tus: memrepo.NewTusUploads(),
			Tx: memrepo.NewTransactor(), Idempotency: memrepo.NewIdempotencyKeys(), Links: memrepo.NewLinks()}
	})
}
