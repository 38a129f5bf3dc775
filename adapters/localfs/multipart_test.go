package localfs

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"storagegw/application/multiparttest"
	"storagegw/domain"
)

// newTestMultipart returns a Multipart whose part URLs point at a test
// server that hands the parts to ReceivePart, as the service's route does.
func newTestMultipart(t *testing.T) (*Multipart, string) {
	t.Helper()
	s, dir := newTestStore(t)
	var m *Multipart
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Path != PartURLPath {
			http.NotFound(w, r)
			return
		}
		etag, err := m.ReceivePart(r.Context(), r.URL.Query(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.Header().Set("ETag", etag)
	}))
	t.Cleanup(srv.Close)
	signer, err := NewSigner(srv.URL, []byte(rand.Text()+rand.Text()), nil)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	m = NewMultipart(s, signer)
	return m, dir
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
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("PUT part: %s: %s", resp.Status, msg)
	}
	return resp.Header.Get("ETag"), nil
}

func TestMultipartConformance(t *testing.T) {
	multiparttest.Run(t, func(t *testing.T) multiparttest.Fixture {
		m, _ := newTestMultipart(t)
		return multiparttest.Fixture{Store: m, PutPart: httpPutPart}
	})
}

// TestMultipartLeavesNothing checks that completing and aborting remove
// the upload's directory, so only uploads in progress occupy the temp area.
func TestMultipartLeavesNothing(t *testing.T) {
	m, dir := newTestMultipart(t)
	ctx := t.Context()
	for _, complete := range []bool{true, false} {
		key := "org-1/workspace/doc/d-1/a.pdf/" + rand.Text()
		id, err := m.InitiateMultipart(ctx, key, "application/pdf")
		if err != nil {
			t.Fatal(err)
		}
		link, err := m.PartURL(ctx, key, id, 1, 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		etag, err := httpPutPart(t, link, []byte("abc"))
		if err != nil {
			t.Fatal(err)
		}
		if complete {
			_, err = m.CompleteMultipart(ctx, key, id, []domain.PartRef{{Number: 1, ETag: etag}})
		} else {
			err = m.AbortMultipart(ctx, key, id)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, uploadDir(id))); !os.IsNotExist(err) {
			t.Errorf("upload directory after complete=%v: got %v, want it removed", complete, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, tmpDir, multipartDir))
	if err != nil && !os.IsNotExist(err) || len(entries) != 0 {
		t.Errorf("temp area: got (%v, %v), want empty", entries, err)
	}
}
