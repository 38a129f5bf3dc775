package spaces

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// TestSignURLShape checks the URLs signed for Spaces, without a server:
// https, the origin or CDN host, the response overrides, SigV4 over host.
func TestSignURLShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		edit               func(*Options)
		wantHost, wantPath string
	}{
		{"virtual host", func(*Options) {}, "files.nyc3.digitaloceanspaces.com", "/org/a%20b.pdf"},
		{"path style", func(o *Options) { o.PathStyle = true }, "nyc3.digitaloceanspaces.com", "/files/org/a%20b.pdf"},
		{"CDN", func(o *Options) { o.CDNEndpoint = "https://files.nyc3.cdn.digitaloceanspaces.com" },
			"files.nyc3.cdn.digitaloceanspaces.com", "/org/a%20b.pdf"},
		{"CDN with path style", func(o *Options) { o.PathStyle = true; o.CDNEndpoint = "https://cdn.example.com/" },
			"cdn.example.com", "/org/a%20b.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.edit(&o)
			s, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := s.SignURL(t.Context(), application.SignRequest{Key: "org/a b.pdf", Expiry: 10 * time.Minute,
				Disposition: domain.DispositionAttachment, Filename: "a b.pdf", ContentType: "application/pdf"})
			if err != nil {
				t.Fatalf("SignURL: %v", err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if u.Scheme != "https" || u.Host != tc.wantHost || u.EscapedPath() != tc.wantPath {
				t.Errorf("SignURL: got %s://%s%s, want https://%s%s", u.Scheme, u.Host, u.EscapedPath(), tc.wantHost, tc.wantPath)
			}
			for name, want := range map[string]string{
				"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Expires": "600", "X-Amz-SignedHeaders": "host",
				"response-content-type":        "application/pdf",
				"response-content-disposition": `attachment; filename="a b.pdf"; filename*=UTF-8''a%20b.pdf`,
			} {
				if got := q.Get(name); got != want {
					t.Errorf("SignURL: %s is %q, want %q", name, got, want)
				}
			}
			if !strings.Contains(q.Get("X-Amz-Credential"), "/nyc3/s3/aws4_request") || strings.Contains(raw, "SK") {
				t.Errorf("SignURL: credential %q, want the region nyc3 and no secret", q.Get("X-Amz-Credential"))
			}
		})
	}
}

// TestSignedURLs fetches signed URLs from the S3 server: before expiry,
// after it, and tampered with.
func TestSignedURLs(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	const key, data = "org/workspace/doc/d1/report.pdf/u1", "%PDF-1.7 the bytes"
	mustPut(t, s, key, data)
	sign := func(expiry time.Duration) string {
		t.Helper()
		u, err := s.SignURL(t.Context(), application.SignRequest{Key: key, Expiry: expiry,
			Disposition: domain.DispositionAttachment, Filename: "Rapport été.pdf", ContentType: "application/pdf"})
		if err != nil {
			t.Fatalf("SignURL: %v", err)
		}
		return u
	}
	// Sign the short-lived URL first, so its wait overlaps the rest.
	short, signedAt := sign(time.Second), time.Now()

	t.Run("before expiry", func(t *testing.T) {
		resp := get(t, sign(time.Minute))
		if resp.status != http.StatusOK || resp.body != data {
			t.Fatalf("GET: got %d %q, want 200 %q", resp.status, resp.body, data)
		}
		wantDisp := `attachment; filename="Rapport _t_.pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9.pdf`
		if got := resp.header.Get("Content-Disposition"); got != wantDisp {
			t.Errorf("Content-Disposition: got %s, want %s", got, wantDisp)
		}
		if got := resp.header.Get("Content-Type"); got != "application/pdf" {
			t.Errorf("Content-Type: got %q, want application/pdf", got)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		good := sign(time.Minute)
		u, _ := url.Parse(good)
		q := u.Query()
		sig := q.Get("X-Amz-Signature")
		flip := map[byte]string{'0': "1"}[sig[len(sig)-1]]
		if flip == "" {
			flip = "0"
		}
		tampered := map[string]func(url.Values){
			"signature":     func(q url.Values) { q.Set("X-Amz-Signature", sig[:len(sig)-1]+flip) },
			"content type":  func(q url.Values) { q.Set("response-content-type", "text/html") },
			"longer expiry": func(q url.Values) { q.Set("X-Amz-Expires", "604800") },
			"no signature":  func(q url.Values) { q.Del("X-Amz-Signature") },
		}
		for name, edit := range tampered {
			q := u.Query()
			edit(q)
			v := *u
			v.RawQuery = q.Encode()
			// S3 answers 400 to a URL missing one of the auth parameters.
			if resp := get(t, v.String()); resp.status != http.StatusForbidden && resp.status != http.StatusBadRequest ||
				strings.Contains(resp.body, data) {
				t.Errorf("GET with %s tampered: got %d %q, want 403 (or 400) without the content", name, resp.status, resp.body)
			}
		}
		other := strings.Replace(good, "/u1?", "/u2?", 1) // another key, same signature
		if resp := get(t, other); resp.status != http.StatusForbidden {
			t.Errorf("GET of another key with this signature: got %d, want 403", resp.status)
		}
	})
	t.Run("not public", func(t *testing.T) {
		u, _ := url.Parse(sign(time.Minute))
		u.RawQuery = ""
		if resp := get(t, u.String()); resp.status != http.StatusForbidden {
			t.Errorf("GET without a signature: got %d %q, want 403 (objects are private)", resp.status, resp.body)
		}
	})
	t.Run("after expiry", func(t *testing.T) {
		time.Sleep(time.Until(signedAt.Add(2100 * time.Millisecond)))
		if resp := get(t, short); resp.status != http.StatusForbidden || strings.Contains(resp.body, data) {
			t.Errorf("GET after expiry: got %d %q, want 403", resp.status, resp.body)
		}
	})
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, u string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading: %v", u, err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}
