package multiparttest_test

import (
	"bytes"
	"net/url"
	"testing"

	"storagegw/application/blobstoretest"
	"storagegw/application/multiparttest"
)

// TestMemory runs the suite on the in-memory fake, whose part URLs go
// straight to its ReceivePart.
func TestMemory(t *testing.T) {
	multiparttest.Run(t, func(t *testing.T) multiparttest.Fixture {
		m := blobstoretest.NewMemoryMultipart(nil)
		return multiparttest.Fixture{Store: m, PutPart: func(t *testing.T, link string, body []byte) (string, error) {
			u, err := url.Parse(link)
			if err != nil {
				return "", err
			}
			return m.ReceivePart(t.Context(), u.Query(), bytes.NewReader(body))
		}}
	})
}
