package blobstoretest_test

import (
	"testing"

	"storagegw/application"
	"storagegw/application/blobstoretest"
)

func TestMemory(t *testing.T) {
	blobstoretest.Run(t, func(*testing.T) application.BlobStore {
		return blobstoretest.NewMemory()
	})
}
