package localfs

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

var testTicket = partTicket{Key: testRequest.Key, Upload: "Q7HJX4KZ3M2WBPN5TR6YVCEAFD", Part: 3, Size: 5 << 20}

// partQuery signs a part URL for pt, valid for a minute, and returns its
// query.
func partQuery(t *testing.T, s *Signer, pt partTicket) url.Values {
	t.Helper()
	raw, err := s.signPart(pt, time.Minute)
	if err != nil {
		t.Fatalf("signPart: got error %v, want nil", err)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Path != PartURLPath {
		t.Fatalf("signPart returned %q (%v), want a URL of %s", raw, err, PartURLPath)
	}
	return u.Query()
}

func TestPartURLRoundTrip(t *testing.T) {
	s, _ := newTestSigner(t)
	q := partQuery(t, s, testTicket)
	if len(q) != 1 || strings.Contains(q.Get(paramToken), testTicket.Upload) {
		t.Errorf("part URL query: got %v, want one opaque token", q)
	}
	q.Set("part", "4")
	if got, err := s.verifyPart(q); err != nil || got != testTicket {
		t.Errorf("verifyPart: got %+v, %v, want %+v, nil", got, err, testTicket)
	}
}

func TestVerifyPartTampered(t *testing.T) {
	s, _ := newTestSigner(t)
	for how, altered := range tamperings(t, partQuery(t, s, testTicket)) {
		_, err := s.verifyPart(altered)
		wantCode(t, "part token "+how, err, "signature_invalid")
	}
	other, err := NewSigner("https://files.example.com", []byte(strings.Repeat("o", MinKeyBytes)), s.clock)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.verifyPart(partQuery(t, other, testTicket))
	wantCode(t, "part URL of another key", err, "signature_invalid")
	_, err = s.verifyPart(signQuery(t, s, testRequest))
	wantCode(t, "a download URL's token", err, "signature_invalid")
	// Sealed by this key, yet not a ticket this package would sign.
	for name, fields := range map[string][]string{
		"4 fields":    {testTicket.Key, testTicket.Upload, "3", "5242880"},
		"part 0":      {testTicket.Key, testTicket.Upload, "0", "5242880", "1769442345"},
		"foreign id":  {testTicket.Key, "../../etc", "3", "5242880", "1769442345"},
		"hostile key": {"../etc/passwd", testTicket.Upload, "3", "5242880", "1769442345"},
	} {
		_, err := s.verifyPart(url.Values{paramToken: {s.seal(kindPart, fields)}})
		wantCode(t, name, err, "signature_invalid")
	}
}

func TestVerifyPartExpiry(t *testing.T) {
	s, clock := newTestSigner(t)
	q := partQuery(t, s, testTicket)
	start := clock.now
	clock.now = start.Add(time.Minute - time.Second)
	if _, err := s.verifyPart(q); err != nil {
		t.Errorf("verifyPart a second before expiry: got %v, want nil", err)
	}
	clock.now = start.Add(time.Minute)
	_, err := s.verifyPart(q)
	wantCode(t, "verifyPart at expiry", err, "url_expired")
}
