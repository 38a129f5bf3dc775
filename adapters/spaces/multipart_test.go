package spaces

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"storagegw/application/multiparttest"
)

// TestMultipartConformance runs the multipart suite against the test S3
// server: parts go by HTTP PUT straight to the presigned URLs.
func TestMultipartConformance(t *testing.T) {
	testServer(t)
	multiparttest.Run(t, func(t *testing.T) multiparttest.Fixture {
		return multiparttest.Fixture{Store: newTestStore(t), PutPart: httpPutPart}
	})
}

// httpPutPart PUTs body to link and returns the ETag answered.
func httpPutPart(t *testing.T, link string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, link, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("PUT part: %s: %s", resp.Status, msg)
	}
	return resp.Header.Get("ETag"), nil
}

// TestPartURLsSkipTheCDN checks that part URLs point at the store's own
// endpoint even when signed GETs go to a CDN: the CDN does not take PUTs.
func TestPartURLsSkipTheCDN(t *testing.T) {
	o := newBucket(t)
	o.CDNEndpoint = "https://cdn.example.com"
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	key := "org-1/workspace/doc/d-1/a.pdf/" + randomHex(8)
	id, err := s.InitiateMultipart(t.Context(), key, "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.PartURL(t.Context(), key, id, 1, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != o.Endpoint || u.Query().Get("uploadId") != id || u.Query().Get("partNumber") != "1" {
		t.Errorf("PartURL: got %s, want a URL of %s with partNumber=1 and uploadId=%s", link, o.Endpoint, id)
	}
	if _, err := httpPutPart(t, link, []byte("0123456789")); err != nil {
		t.Errorf("PUT to the part URL: %v", err)
	}
}
