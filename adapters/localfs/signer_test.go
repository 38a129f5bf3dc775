package localfs

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
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
	OrgID: "org1", UserID: "user-7", Role: domain.RoleMember, Path: "org1/workspace/doc/d1/report.pdf", LinkID: "0193a3b4-link",
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

// tamperings returns q altered every way a client might: each bit of the
// sealed bytes flipped, each character of the token replaced, the token
// truncated, extended, emptied, removed, repeated or given a newline the
// base64 decoder would skip.
func tamperings(t *testing.T, q url.Values) map[string]url.Values {
	t.Helper()
	tok := q.Get(paramToken)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatalf("token %q is not base64url: %v", tok, err)
	}
	with := func(vs ...string) url.Values { return url.Values{paramToken: vs} }
	out := map[string]url.Values{
		"removed": {}, "emptied": with(""), "repeated": with(tok, tok),
		"truncated by a character": with(tok[:len(tok)-1]), "truncated by a byte": with(tok[:len(tok)-2]),
		"truncated to the nonce": with(tok[:16]), "extended by a character": with(tok + "A"),
		"extended by bytes": with(tok + "AAAA"), "newline inside": with(tok[:10] + "\n" + tok[10:]),
		"padded": with(tok + "=="),
	}
	for i := range raw {
		flipped := append([]byte(nil), raw...)
		flipped[i] ^= 1 << (i % 8)
		out[fmt.Sprintf("bit %d of byte %d flipped", i%8, i)] = with(base64.RawURLEncoding.EncodeToString(flipped))
	}
	for i := range tok {
		c := byte('A')
		if tok[i] == 'A' {
			c = 'B'
		}
		out[fmt.Sprintf("character %d replaced", i)] = with(tok[:i] + string(c) + tok[i+1:])
	}
	return out
}

func TestVerifyTampered(t *testing.T) {
	s, _ := newTestSigner(t)
	q := signQuery(t, s, testRequest)
	for how, altered := range tamperings(t, q) {
		_, err := s.Verify(altered)
		wantCode(t, "token "+how, err, "signature_invalid")
	}
	// Another key's URL is not valid here, nor is a part URL's token.
	other, err := NewSigner("https://files.example.com", bytes.Repeat([]byte("o"), MinKeyBytes), s.clock)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Verify(signQuery(t, other, testRequest))
	wantCode(t, "signed with another key", err, "signature_invalid")
	_, err = s.Verify(partQuery(t, s, testTicket))
	wantCode(t, "a part URL's token", err, "signature_invalid")
	// Sealed by this key but not a download URL's fields: too few, too
	// many, or an expiry that is not a number.
	fields := []string{testRequest.Key, "1769442345", "inline", "a.pdf", "application/pdf", "org1", "u", "org1/p", "member", "link-1"}
	for name, fs := range map[string][]string{
		"9 fields": fields[:9], "11 fields": append(append([]string{}, fields...), ""),
		"expiry not a number": append([]string{fields[0], "soon"}, fields[2:]...),
	} {
		_, err = s.Verify(url.Values{paramToken: {s.seal(kindDownload, fs)}})
		wantCode(t, name, err, "signature_invalid")
	}
	// What is outside the token changes nothing.
	q.Set("org", "org2")
	q.Set("sig", "AAAA")
	if got, err := s.Verify(q); err != nil || got != testRequest {
		t.Errorf("Verify with other parameters added: got %+v, %v, want %+v, nil", got, err, testRequest)
	}
}

// TestSignedURLIsOpaque checks that a URL carries only its token, which
// names none of the request's fields, and that no two URLs share a token.
func TestSignedURLIsOpaque(t *testing.T) {
	s, _ := newTestSigner(t)
	// Values long enough not to turn up in a random token by chance.
	req := application.SignRequest{Key: "acme-corporation/workspace/doc/d1/quarterly-report.pdf/u1", Expiry: time.Minute,
		Disposition: domain.DispositionAttachment, Filename: "quarterly-report.pdf", ContentType: "application/pdf",
		OrgID: "acme-corporation", UserID: "alice-liddell", Role: domain.RoleMember, Path: "acme-corporation/workspace/doc/d1/quarterly-report.pdf"}
	raw, err := s.SignURL(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	if q := u.Query(); len(q) != 1 || len(q[paramToken]) != 1 {
		t.Errorf("query: got %v, want the token alone", q)
	}
	for _, clear := range []string{req.OrgID, req.UserID, string(req.Role), "quarterly-report", "application"} {
		if strings.Contains(raw, clear) {
			t.Errorf("URL %q carries %q in clear", raw, clear)
		}
	}
	if again := signQuery(t, s, req); again.Get(paramToken) == u.Query().Get(paramToken) {
		t.Errorf("two URLs for one request share the token %q, want a fresh nonce each", again.Get(paramToken))
	}
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
