package localfs

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

var testKey = bytes.Repeat([]byte("k"), MinKeyBytes)

func newTestSigner(t *testing.T) (*Signer, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 26, 15, 30, 45, 0, time.UTC)}
	s, err := NewSigner("https://files.example.com/", testKey, clock)
	if err != nil {
		t.Fatalf("NewSigner: got error %v, want nil", err)
	}
	return s, clock
}

var testRequest = application.SignRequest{
	Key: "org1/workspace/doc/d1/report.pdf/u1", Expiry: 15 * time.Minute,
	Disposition: domain.DispositionAttachment, Filename: "report.pdf", ContentType: "application/pdf",
	OrgID: "org1", UserID: "user-7", Role: domain.RoleMember, Path: "org1/workspace/doc/d1/report.pdf",
}

// signQuery signs req and returns the URL's query.
func signQuery(t *testing.T, s *Signer, req application.SignRequest) url.Values {
	t.Helper()
	raw, err := s.SignURL(t.Context(), req)
	if err != nil {
		t.Fatalf("SignURL: got error %v, want nil", err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("SignURL returned %q: %v", raw, err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, "https://files.example.com"+BlobURLPath; got != want {
		t.Errorf("SignURL: got URL %q, want one under %q", raw, want)
	}
	return u.Query()
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.Is(err, domain.ErrForbidden) || !errors.As(err, &de) || de.Code != code {
		t.Errorf("%s: got error %v, want %v with code %q", what, err, domain.ErrForbidden, code)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s, _ := newTestSigner(t)
	got, err := s.Verify(signQuery(t, s, testRequest))
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}
	if got != testRequest {
		t.Errorf("Verify: got %+v, want %+v", got, testRequest)
	}
	req := testRequest
	req.Disposition, req.Filename = "", "naïve name; \"quoted\" &=?.pdf"
	got, err = s.Verify(signQuery(t, s, req))
	if err != nil || got.Disposition != domain.DispositionInline || got.Filename != req.Filename {
		t.Errorf("Verify: got %+v, %v, want inline disposition and filename %q", got, err, req.Filename)
	}
}

func TestVerifyTampered(t *testing.T) {
	s, _ := newTestSigner(t)
	for _, name := range append(append([]string{}, signedParams...), paramSig) {
		for _, how := range []string{"changed", "removed", "repeated", "emptied"} {
			q := signQuery(t, s, testRequest)
			switch how {
			case "changed":
				q.Set(name, q.Get(name)+"x")
			case "removed":
				q.Del(name)
			case "repeated":
				q.Add(name, q.Get(name))
			case "emptied":
				q.Set(name, "")
			}
			_, err := s.Verify(q)
			wantCode(t, name+" "+how, err, "signature_invalid")
		}
	}
	// Moving bytes from one field to the next keeps their concatenation
	// but must still break the signature.
	q := signQuery(t, s, testRequest)
	q.Set(paramFilename, "report.pd")
	q.Set(paramContentType, "f"+q.Get(paramContentType))
	_, err := s.Verify(q)
	wantCode(t, "bytes moved between fields", err, "signature_invalid")
	// Another key's signature is not valid here.
	other, err := NewSigner("https://files.example.com", bytes.Repeat([]byte("o"), MinKeyBytes), s.clock)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Verify(signQuery(t, other, testRequest))
	wantCode(t, "signed with another key", err, "signature_invalid")
}

func TestVerifyExpiry(t *testing.T) {
	s, clock := newTestSigner(t)
	q := signQuery(t, s, testRequest)
	start := clock.now
	clock.now = start.Add(testRequest.Expiry - time.Second)
	if got, err := s.Verify(q); err != nil || got.Expiry != time.Second {
		t.Errorf("Verify a second before expiry: got Expiry %v, %v, want 1s, nil", got.Expiry, err)
	}
	for _, after := range []time.Duration{testRequest.Expiry, testRequest.Expiry + time.Hour} {
		clock.now = start.Add(after)
		got, err := s.Verify(q)
		wantCode(t, "Verify after "+after.String(), err, "url_expired")
		if got.UserID != testRequest.UserID || got.Path != testRequest.Path || got.Role != testRequest.Role {
			t.Errorf("Verify after %v: got request %+v, want the authentic one for auditing", after, got)
		}
	}
}

func TestSignURLRefuses(t *testing.T) {
	s, _ := newTestSigner(t)
	for name, change := range map[string]func(*application.SignRequest){
		"hostile key":     func(r *application.SignRequest) { r.Key = "../etc/passwd" },
		"zero expiry":     func(r *application.SignRequest) { r.Expiry = 0 },
		"bad disposition": func(r *application.SignRequest) { r.Disposition = "download" },
	} {
		req := testRequest
		change(&req)
		if _, err := s.SignURL(t.Context(), req); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("SignURL with %s: got error %v, want %v", name, err, domain.ErrInvalid)
		}
	}
}

func TestNewSignerRefuses(t *testing.T) {
	tests := map[string]struct {
		base string
		key  []byte
	}{
		"short key":   {"http://localhost:8080", testKey[:MinKeyBytes-1]},
		"empty base":  {"", testKey},
		"no scheme":   {"localhost:8080", testKey},
		"ftp":         {"ftp://example.com", testKey},
		"no host":     {"http://", testKey},
		"query":       {"http://example.com?a=b", testKey},
		"userinfo":    {"http://u:p@example.com", testKey},
		"unparseable": {"http://exa mple.com/%zz", testKey},
		"fragment":    {"https://example.com/#x", testKey},
	}
	for name, tc := range tests {
		if _, err := NewSigner(tc.base, tc.key, nil); err == nil {
			t.Errorf("NewSigner(%s): got nil error, want one", name)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "url-signing.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			var err error
			if keys[i], err = LoadOrCreateKey(path); err != nil {
				t.Errorf("LoadOrCreateKey #%d: got error %v, want nil", i, err)
			}
		})
	}
	wg.Wait()
	again, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range append(keys, again) {
		if len(k) != MinKeyBytes || !bytes.Equal(k, again) {
			t.Errorf("key #%d: got %x, want the same %d bytes every time", i, k, MinKeyBytes)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: got %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("key directory: got %d entries, want only the key (no temp files)", len(entries))
	}
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte(strings.Repeat("s", MinKeyBytes-1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(short); err == nil {
		t.Errorf("LoadOrCreateKey of a short key file: got nil error, want one")
	}
}
