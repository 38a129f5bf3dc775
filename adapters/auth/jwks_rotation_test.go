package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"storagegw/domain"
)

// issuer is an identity provider's JWK Set endpoint whose keys the test
// rotates; it counts the fetches.
type issuer struct {
	t       *testing.T
	srv     *httptest.Server
	fetches atomic.Int64

	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
}

func newIssuer(t *testing.T, kids ...string) *issuer {
	t.Helper()
	is := &issuer{t: t, keys: map[string]*rsa.PrivateKey{}}
	for _, kid := range kids {
		is.add(kid)
	}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		var set jwkset.JWKSMarshal
		for kid, key := range is.keys {
			jwk, err := jwkset.NewJWKFromKey(&key.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: jwkset.AlgRS256, USE: jwkset.UseSig}})
			if err != nil {
				t.Error(err)
				return
			}
			set.Keys = append(set.Keys, jwk.Marshal())
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(is.srv.Close)
	return is
}

// add puts a fresh key under kid into the set (the issuer starts using it).
func (is *issuer) add(kid string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		is.t.Fatal(err)
	}
	is.put(kid, key)
}

// put publishes key under kid.
func (is *issuer) put(kid string, key *rsa.PrivateKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.keys[kid] != nil {
		is.t.Fatalf("kid %s is already in the set", kid)
	}
	is.keys[kid] = key
}

// remove takes kid out of the set but returns its key, which a leaked or
// retired token may still be signed with.
func (is *issuer) remove(kid string) *rsa.PrivateKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	key := is.keys[kid]
	delete(is.keys, kid)
	return key
}

func (is *issuer) key(kid string) *rsa.PrivateKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[kid]
}

func rotationVerifier(t *testing.T, is *issuer, opts JWKSOptions) *Verifier {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ks, err := NewJWKSKeySet(ctx, is.srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(Options{KeySet: ks})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rotationToken(t *testing.T, key *rsa.PrivateKey, kid string) string {
	return signRS256(t, key, kid, jwt.MapClaims{"sub": "u1", "org_id": "org-1", "role": "viewer",
		"exp": time.Now().Add(time.Hour).Unix()})
}

// TestJWKSNewKeyIsFetched: a token signed with a key the issuer has just
// started using triggers a refresh and is accepted at once. Within the
// unknown-kid interval another unknown kid is refused at once without
// asking the issuer (forged kids cannot hammer it); once the interval has
// passed, the next new key is fetched and accepted.
func TestJWKSNewKeyIsFetched(t *testing.T) {
	t.Parallel()
	// The interval is long enough for a loaded machine (the race
	// detector, many packages at once) to make the three refused calls
	// within it; their tokens are signed before it starts.
	const every = 2 * time.Second
	is := newIssuer(t, "k1")
	v := rotationVerifier(t, is, JWKSOptions{RefreshInterval: time.Hour, UnknownKIDRefreshInterval: every})
	ctx := context.Background()
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("fetches at start: got %d, want 1", n)
	}

	is.add("k2")
	k3, err := rsa.GenerateKey(rand.Reader, 2048) // published after k2's refresh
	if err != nil {
		t.Fatal(err)
	}
	k2 := rotationToken(t, is.key("k2"), "k2")
	within := map[string]string{"forged-1": rotationToken(t, is.key("k1"), "forged-1"),
		"forged-2": rotationToken(t, is.key("k1"), "forged-2"), "k3": rotationToken(t, k3, "k3")}
	start := time.Now()
	if _, err := v.Verify(ctx, k2); err != nil {
		t.Fatalf("token with a new kid: got %v, want it accepted after a refresh", err)
	}
	if n := is.fetches.Load(); n != 2 {
		t.Errorf("fetches after a new kid: got %d, want 2", n)
	}

	is.put("k3", k3)
	for _, kid := range []string{"forged-1", "forged-2", "k3"} {
		began := time.Now()
		_, err := v.Verify(ctx, within[kid])
		if !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("kid %s within the interval: got %v, want token_invalid", kid, err)
		}
		if took := time.Since(began); took > every/2 {
			t.Errorf("kid %s within the interval: refused after %s, want at once", kid, took)
		}
	}
	if n := is.fetches.Load(); n != 2 {
		t.Errorf("fetches after unknown kids within the interval: got %d, want still 2", n)
	}

	time.Sleep(time.Until(start.Add(every + 50*time.Millisecond)))
	if _, err := v.Verify(ctx, rotationToken(t, is.key("k3"), "k3")); err != nil {
		t.Errorf("new kid after the interval: got %v, want it accepted", err)
	}
	if n := is.fetches.Load(); n != 3 {
		t.Errorf("fetches: got %d, want 3", n)
	}
	if _, err := v.Verify(ctx, rotationToken(t, is.key("k1"), "k1")); err != nil {
		t.Errorf("the first key, still in the set: got %v, want it accepted", err)
	}
}

// TestJWKSRemovedKeyStopsWorking: a key removed from the set is refused
// once the background refresh has run.
func TestJWKSRemovedKeyStopsWorking(t *testing.T) {
	t.Parallel()
	const every = 200 * time.Millisecond
	is := newIssuer(t, "k1", "k2")
	v := rotationVerifier(t, is, JWKSOptions{RefreshInterval: every, UnknownKIDRefreshInterval: time.Hour})
	ctx := context.Background()
	old := rotationToken(t, is.key("k1"), "k1")
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatalf("k1 while in the set: got %v", err)
	}
	is.remove("k1")
	deadline := time.Now().Add(10 * every)
	for {
		_, err := v.Verify(ctx, old)
		if errors.Is(err, domain.ErrUnauthenticated) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("k1 %s after its removal: got %v, want it refused", 10*every, err)
		}
		time.Sleep(every / 4)
	}
	if _, err := v.Verify(ctx, rotationToken(t, is.key("k2"), "k2")); err != nil {
		t.Errorf("k2, still in the set: got %v, want it accepted", err)
	}
}

// TestJWKSDefaults: without settings, keys are fetched every 5 minutes
// and an unknown kid may fetch them once a minute.
func TestJWKSDefaults(t *testing.T) {
	t.Parallel()
	is := newIssuer(t, "k1")
	ks, err := NewJWKSKeySet(t.Context(), is.srv.URL, JWKSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.(*jwksKeySet).every; got != time.Minute {
		t.Errorf("unknown-kid interval: got %s, want 1m", got)
	}
	if DefaultJWKSRefreshInterval != 5*time.Minute {
		t.Errorf("refresh interval: got %s, want 5m", DefaultJWKSRefreshInterval)
	}
}
