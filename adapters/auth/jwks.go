package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// JWKS timings: keys are refreshed in the background every
// jwksRefreshInterval, and a token naming an unknown kid triggers at most
// one early refresh per jwksUnknownKIDEvery (so forged kids cannot make the
// service hammer the issuer).
const (
	jwksHTTPTimeout     = 10 * time.Second
	jwksRefreshInterval = 15 * time.Minute
	jwksUnknownKIDEvery = 5 * time.Minute
)

// NewJWKSKeySet fetches the issuer's JWK Set from rawURL and keeps it fresh
// until ctx ends. It fails when the first fetch fails, so a wrong
// JWT_JWKS_URL stops the service at start rather than refusing every token.
// rawURL must be https, except for a loopback host (tests, sidecars).
// onRefreshError hears of failed background refreshes (the last good keys
// stay in use); nil ignores them.
func NewJWKSKeySet(ctx context.Context, rawURL string, client *http.Client, onRefreshError func(error)) (KeySet, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("auth: JWT_JWKS_URL %q must be an https URL", rawURL)
	}
	if client == nil {
		client = &http.Client{Timeout: jwksHTTPTimeout}
	}
	if onRefreshError == nil {
		onRefreshError = func(error) {}
	}
	failFirst := false
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{rawURL}, keyfunc.Override{
		Client:                    client,
		NoErrorReturnFirstHTTPReq: &failFirst,
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return func(_ context.Context, err error) { onRefreshError(err) }
		},
		HTTPTimeout:       jwksHTTPTimeout,
		RefreshInterval:   jwksRefreshInterval,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(jwksUnknownKIDEvery), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("auth: fetch the JWK Set at JWT_JWKS_URL: %w", err)
	}
	return kf, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
