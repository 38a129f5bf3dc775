package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// jwksHTTPTimeout bounds each fetch of the JWK Set.
const jwksHTTPTimeout = 10 * time.Second

// Default JWKS timings (JWT_JWKS_REFRESH_INTERVAL,
// JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL).
const (
	DefaultJWKSRefreshInterval           = 5 * time.Minute
	DefaultJWKSUnknownKIDRefreshInterval = time.Minute
)

// JWKSOptions tune a JWKS key set; the zero value is usable.
type JWKSOptions struct {
	// Client fetches the set; nil is a client with a 10 s timeout.
	Client *http.Client
	// OnRefreshError hears of failed refreshes (the last good keys stay in
	// use); nil ignores them.
	OnRefreshError func(error)
	// RefreshInterval is how often the set is fetched in the background:
	// a key removed from it stops being accepted within this long.
	// Default DefaultJWKSRefreshInterval.
	RefreshInterval time.Duration
	// UnknownKIDRefreshInterval is the least time between two fetches made
	// because a token named a key id the set does not hold: a key the
	// issuer starts using is accepted at most this long after its first
	// token, and forged key ids cannot make the service hammer the issuer.
	// Default DefaultJWKSUnknownKIDRefreshInterval.
	UnknownKIDRefreshInterval time.Duration
}

// jwksKeySet picks a token's key from the issuer's JWK Set. The set is
// kept in one store refreshed in the background; cached reads it as it
// is, refreshing reads it after fetching it again (jwkset refreshes on an
// unknown kid, with a limiter that never makes it wait). Which of the two a
// token with an unknown kid gets is decided here, so a refused refresh
// answers at once instead of holding the request until the limiter allows.
type jwksKeySet struct {
	cached, refreshing jwt.Keyfunc
	every              time.Duration
	now                func() time.Time

	mu   sync.Mutex
	last time.Time // of the last refresh an unknown kid caused
}

// NewJWKSKeySet fetches the issuer's JWK Set from rawURL and keeps it fresh
// until ctx ends. It fails when the first fetch fails, so a wrong
// JWT_JWKS_URL stops the service at start rather than refusing every token.
// rawURL must be https, except for a loopback host (tests, sidecars).
func NewJWKSKeySet(ctx context.Context, rawURL string, opts JWKSOptions) (KeySet, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("auth: JWT_JWKS_URL %q must be an https URL", rawURL)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: jwksHTTPTimeout}
	}
	if opts.OnRefreshError == nil {
		opts.OnRefreshError = func(error) {}
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultJWKSRefreshInterval
	}
	if opts.UnknownKIDRefreshInterval <= 0 {
		opts.UnknownKIDRefreshInterval = DefaultJWKSUnknownKIDRefreshInterval
	}
	store, err := jwkset.NewStorageFromHTTP(rawURL, jwkset.HTTPClientStorageOptions{
		Client:          opts.Client,
		Ctx:             ctx,
		HTTPTimeout:     jwksHTTPTimeout,
		RefreshInterval: opts.RefreshInterval,
		RefreshErrorHandler: func(_ context.Context, err error) {
			opts.OnRefreshError(err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: fetch the JWK Set at JWT_JWKS_URL: %w", err)
	}
	cached, err := keyfuncOver(ctx, rawURL, store, nil)
	if err != nil {
		return nil, err
	}
	refreshing, err := keyfuncOver(ctx, rawURL, store, rate.NewLimiter(rate.Inf, 1))
	if err != nil {
		return nil, err
	}
	return &jwksKeySet{cached: cached, refreshing: refreshing, every: opts.UnknownKIDRefreshInterval, now: time.Now}, nil
}

// keyfuncOver reads keys from store; with a limiter, an unknown kid
// fetches the set again first.
func keyfuncOver(ctx context.Context, rawURL string, store jwkset.Storage, limiter *rate.Limiter) (jwt.Keyfunc, error) {
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{rawURL: store},
		PrioritizeHTTP:    true,
		RefreshUnknownKID: limiter,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: JWK Set client: %w", err)
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: client})
	if err != nil {
		return nil, fmt.Errorf("auth: JWK Set client: %w", err)
	}
	return kf.Keyfunc, nil
}

// Keyfunc returns the key the token's kid names. An unknown kid fetches
// the set again when the last such fetch is at least UnknownKIDRefreshInterval
// old; otherwise it is refused at once.
func (s *jwksKeySet) Keyfunc(token *jwt.Token) (any, error) {
	key, err := s.cached(token)
	if err == nil || !errors.Is(err, jwkset.ErrKeyNotFound) || !s.mayRefresh() {
		return key, err
	}
	return s.refreshing(token)
}

// mayRefresh reports whether an unknown kid may fetch the set now, and
// if so counts this as the fetch.
func (s *jwksKeySet) mayRefresh() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if !s.last.IsZero() && now.Sub(s.last) < s.every {
		return false
	}
	s.last = now
	return true
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
