package configs

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ValidationError lists every problem found, each saying what to fix.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// sources names the JWT key sources that are set.
func (j JWTConfig) sources() []string {
	var s []string
	if j.HS256Secret != "" {
		s = append(s, "JWT_HS256_SECRET")
	}
	if j.JWKSURL != "" {
		s = append(s, "JWT_JWKS_URL")
	}
	if j.PublicKeyFile != "" {
		s = append(s, "JWT_PUBLIC_KEY_FILE")
	}
	return s
}

// anySet reports whether any object-store setting is given.
func (s SpacesConfig) anySet() bool {
	return s.Endpoint != "" || s.Bucket != "" || s.AccessKey != "" || s.SecretKey != "" ||
		s.Region != "" || s.CDNEndpoint != ""
}

const spacesAll = "set all of SPACES_ENDPOINT, SPACES_BUCKET, SPACES_ACCESS_KEY, SPACES_SECRET_KEY, or none"

// Validate checks the configuration and returns a *ValidationError listing
// every problem, or nil.
func (c *Config) Validate() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		add("STORAGEGW_ENV is %q: set it to development or production", c.Env)
	}
	if host, port, err := net.SplitHostPort(c.Addr); err != nil || !validPort(port) || strings.ContainsAny(host, " /") {
		add("STORAGEGW_ADDR %q is not host:port with a numeric port: use e.g. :8080 or 127.0.0.1:8080", c.Addr)
	}
	if c.DataDir == "" {
		add("STORAGEGW_DATA_DIR is empty: set a writable directory, e.g. ./data")
	}
	if c.ConfiguredPublicURL != "" && !httpURL(c.ConfiguredPublicURL) {
		add("STORAGEGW_PUBLIC_URL %q is not an absolute http(s) URL without query: use e.g. https://files.example.com", c.ConfiguredPublicURL)
	}
	if d := string(c.DatabaseURL); d != "" && !strings.HasPrefix(d, "postgres://") && !strings.HasPrefix(d, "postgresql://") {
		add("DATABASE_URL must start with postgres:// or postgresql:// (leave it empty for SQLite in STORAGEGW_DATA_DIR)")
	}
	if d := c.Database; d.ConnectTimeout <= 0 || d.StatementTimeout <= 0 || d.OperationTimeout <= 0 {
		add("DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT and DATABASE_OPERATION_TIMEOUT must be positive durations such as 5s")
	}
	if c.Database.MaxConns < 1 {
		add("DATABASE_MAX_CONNS is %d: the pool needs at least one connection", c.Database.MaxConns)
	}

	if src := c.JWT.sources(); len(src) > 1 {
		add("%s are all set: set only one of JWT_HS256_SECRET, JWT_JWKS_URL, JWT_PUBLIC_KEY_FILE", strings.Join(src, " and "))
	}
	if s := c.JWT.HS256Secret; s != "" && len(s) < 32 {
		add("JWT_HS256_SECRET is shorter than 32 bytes: use at least 32 random bytes, e.g. `openssl rand -hex 32`")
	}
	if u := c.JWT.JWKSURL; u != "" && !httpURL(u) {
		add("JWT_JWKS_URL %q is not an absolute http(s) URL", u)
	}
	if c.JWT.OrgClaim == "" {
		add("JWT_ORG_CLAIM is empty: name the claim holding the organisation id, e.g. org_id")
	}
	if c.JWT.RoleClaim == "" {
		add("JWT_ROLE_CLAIM is empty: name the claim holding the role, e.g. role")
	}
	if l := c.JWT.Leeway; l < 0 || l > 5*time.Minute {
		add("JWT_LEEWAY is %s: use a duration between 0s and 5m", l)
	}
	if i := c.JWT.JWKSRefreshInterval; i < 10*time.Second || i > 24*time.Hour {
		add("JWT_JWKS_REFRESH_INTERVAL is %s: use 10s to 24h, e.g. 5m (a key removed from the JWK Set is accepted until the next refresh)", i)
	}
	if i := c.JWT.JWKSUnknownKIDRefreshInterval; i < time.Second || i > time.Hour {
		add("JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL is %s: use 1s to 1h, e.g. 1m", i)
	}

	c.validateSpaces(add)

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("STORAGEGW_LOG_LEVEL is %q: use debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "console", "json":
	default:
		add("STORAGEGW_LOG_FORMAT is %q: use auto, console or json", c.Log.Format)
	}
	if l := c.Uploads.Lease; l < 3*time.Second || l > 10*time.Minute {
		add("STORAGEGW_UPLOAD_LEASE is %s: use 3s to 10m, e.g. 30s", l)
	}
	if l := c.Uploads.MultipartClaimLease; l < 30*time.Second || l > time.Hour {
		add("STORAGEGW_MULTIPART_CLAIM_LEASE is %s: use 30s to 1h, e.g. 2m", l)
	}
	if ttl := c.Uploads.MultipartSessionTTL; ttl < time.Minute || ttl > 7*24*time.Hour {
		add("STORAGEGW_MULTIPART_SESSION_TTL is %s: use 1m to 168h, e.g. 24h", ttl)
	}
	if n := c.Uploads.MultipartPartSizeMiB; n < 5 || n > 5120 {
		add("STORAGEGW_MULTIPART_PART_SIZE_MIB is %d: use 5 to 5120", n)
	}
	if ttl := c.Uploads.CapabilityTTL; ttl < time.Minute || ttl > time.Hour {
		add("STORAGEGW_UPLOAD_CAPABILITY_TTL is %s: use 1m to 1h, e.g. 10m", ttl)
	}
	if s := c.Uploads.CapabilitySecret; s.IsSet() && len(s.Value()) < 32 {
		add("STORAGEGW_UPLOAD_CAPABILITY_SECRET holds %d bytes: use at least 32 (e.g. openssl rand -hex 32), or leave it empty for a development secret in the data dir", len(s.Value()))
	}
	if i := c.Uploads.CleanupInterval; i != 0 && i < time.Minute {
		add("STORAGEGW_UPLOAD_CLEANUP_INTERVAL is %s: use 0s (no in-process clean-up) or at least 1m, e.g. 1h", i)
	}
	if ttl := c.Uploads.IdempotencyTTL; ttl < time.Minute || ttl > 7*24*time.Hour {
		add("STORAGEGW_IDEMPOTENCY_TTL is %s: use 1m to 168h, e.g. 24h", ttl)
	}
	if l := c.Uploads.IdempotencyLease; l < 3*time.Second || l > 10*time.Minute {
		add("STORAGEGW_IDEMPOTENCY_LEASE is %s: use 3s to 10m, e.g. 30s", l)
	}
	if c.Retention.SoftDelete <= 0 {
		add("retention.soft_delete is %s: use a positive duration, e.g. 2160h (90 days)", c.Retention.SoftDelete)
	}
	c.validateAudit(add)
	if i := c.Retention.PurgeInterval; i != 0 && i < time.Minute {
		add("STORAGEGW_PURGE_INTERVAL is %s: use 0s (no in-process purge) or at least 1m, e.g. 24h", i)
	}
	if a := c.MetricsAddr; a != "" {
		if host, port, err := net.SplitHostPort(a); err != nil || !validPort(port) || strings.ContainsAny(host, " /") {
			add("STORAGEGW_METRICS_ADDR %q is not host:port with a numeric port: use e.g. :9090, or leave it empty", a)
		} else if a == c.Addr {
			add("STORAGEGW_METRICS_ADDR equals STORAGEGW_ADDR: leave it empty to serve /metrics on the API listener")
		}
	}
	if t := c.ReadyzTimeout; t <= 0 || t > time.Minute {
		add("STORAGEGW_READYZ_TIMEOUT is %s: use a duration between 1ms and 1m, e.g. 2s", t)
	}
	if m := c.MinFreeDiskMiB; m < 0 || m > 1<<30 {
		add("STORAGEGW_MIN_FREE_DISK_MIB is %d: use 0 (no check) to 1073741824 MiB, e.g. 512", m)
	}
	if t := c.ShutdownTimeout; t <= 0 {
		add("STORAGEGW_SHUTDOWN_TIMEOUT is %s: use a positive duration, e.g. 30s", t)
	}
	c.validateLoad(add)
	for _, tp := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(tp); err != nil {
			if _, err := netip.ParseAddr(tp); err != nil {
				add("STORAGEGW_TRUSTED_PROXIES entry %q is not an IP address or CIDR, e.g. 10.0.0.0/8", tp)
			}
		}
	}
	c.validateCORS(add)
	if _, err := c.ContentRules(); err != nil {
		add("%s", err.Error())
	}
	if _, err := c.GatewayLinkKinds(); err != nil {
		add("%s", err.Error())
	}
	if _, err := c.UnversionedKinds(); err != nil {
		add("%s", err.Error())
	}
	if r := c.Versions.Retention; r < 0 {
		add("STORAGEGW_VERSION_RETENTION is %s: use 0s (the soft-delete retention) or a positive duration, e.g. 720h (30 days)", r)
	}
	if s := c.Links.SigningSecret; s.IsSet() && len(s.Value()) < 32 {
		add("STORAGEGW_LINK_SIGNING_SECRET holds %d bytes: use at least 32 (e.g. openssl rand -hex 32), or leave it empty for the data dir's URL-signing key", len(s.Value()))
	}
	if _, err := c.QuotaPolicy(); err != nil {
		add("%s", err.Error())
	}

	if c.IsProduction() {
		c.validateProduction(add)
	}
	if len(p) > 0 {
		return &ValidationError{Problems: p}
	}
	return nil
}

func (c *Config) validateSpaces(add func(string, ...any)) {
	s := c.Spaces
	if !s.anySet() {
		return
	}
	required := []struct {
		name string
		set  bool
	}{
		{"SPACES_ENDPOINT", s.Endpoint != ""}, {"SPACES_BUCKET", s.Bucket != ""},
		{"SPACES_ACCESS_KEY", s.AccessKey != ""}, {"SPACES_SECRET_KEY", s.SecretKey != ""},
	}
	var given string
	for _, r := range required {
		if r.set {
			given = r.name
			break
		}
	}
	if given == "" {
		given = "SPACES_REGION or SPACES_CDN_ENDPOINT"
	}
	for _, r := range required {
		if !r.set {
			add("%s is empty but %s is set: %s", r.name, given, spacesAll)
		}
	}
	if strings.Contains(s.Endpoint, "/") && !httpURL(s.Endpoint) {
		add("SPACES_ENDPOINT %q is neither a host name (nyc3.digitaloceanspaces.com) nor an http(s) URL", s.Endpoint)
	}
	if u := s.CDNEndpoint; u != "" && !httpURL(u) {
		add("SPACES_CDN_ENDPOINT %q is not an absolute http(s) URL", u)
	}
	if s.PartSizeMiB < 5 || s.PartSizeMiB > 5120 {
		add("SPACES_PART_SIZE_MIB is %d: S3 parts are 5 to 5120 MiB", s.PartSizeMiB)
	}
	if s.RequestTimeout <= 0 || s.OperationTimeout <= 0 {
		add("SPACES_REQUEST_TIMEOUT and SPACES_OPERATION_TIMEOUT must be positive durations such as 15s")
	}
}

func (c *Config) validateProduction(add func(string, ...any)) {
	const prod = "STORAGEGW_ENV=production"
	if c.UsesSQLite() {
		add("%s refuses SQLite: set DATABASE_URL to a postgres:// URL", prod)
	}
	if c.UsesLocalDisk() {
		add("%s refuses local disk: %s", prod, strings.TrimSuffix(spacesAll, ", or none"))
	} else if !c.Spaces.UseSSL || strings.HasPrefix(c.Spaces.Endpoint, "http://") {
		add("%s refuses plain-HTTP object storage: set SPACES_USE_SSL=true and an https endpoint", prod)
	}
	if c.Audit.SigningKeyFile == "" {
		add("%s refuses the generated development audit signing key: set STORAGEGW_AUDIT_SIGNING_KEY_FILE "+
			"(an Ed25519 PKCS#8 PEM file, e.g. `openssl genpkey -algorithm ed25519`)", prod)
	}
	if c.UsesDevSecret() {
		add("%s refuses the generated development JWT secret: set one of JWT_HS256_SECRET, JWT_JWKS_URL, JWT_PUBLIC_KEY_FILE", prod)
	}
	if !strings.HasPrefix(c.ConfiguredPublicURL, "https://") {
		add("%s needs STORAGEGW_PUBLIC_URL set to the https:// URL clients reach the service at", prod)
	}
	if u := c.JWT.JWKSURL; u != "" && !strings.HasPrefix(u, "https://") {
		add("%s needs JWT_JWKS_URL to be an https:// URL", prod)
	}
	if u := c.Spaces.CDNEndpoint; u != "" && !strings.HasPrefix(u, "https://") {
		add("%s needs SPACES_CDN_ENDPOINT to be an https:// URL", prod)
	}
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// httpURL reports whether s is an absolute http or https URL with a host and
// no query or fragment.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

// validateAudit checks the audit chain's settings: a new event must be
// covered by a checkpoint within seconds, not drift into hours.
func (c *Config) validateAudit(add func(string, ...any)) {
	a := c.Audit
	if a.SealInterval < 0 || a.SealInterval > time.Minute {
		add("STORAGEGW_AUDIT_SEAL_INTERVAL is %s: use 0s (seal from cron with `storagegw audit seal`) or up to 1m, e.g. 1s", a.SealInterval)
	}
	if a.CheckpointEvery < 1 {
		add("STORAGEGW_AUDIT_CHECKPOINT_EVERY is %d: use a positive number of events, e.g. 1000", a.CheckpointEvery)
	}
	if a.CheckpointInterval <= 0 || a.CheckpointInterval > time.Hour {
		add("STORAGEGW_AUDIT_CHECKPOINT_INTERVAL is %s: use a positive duration up to 1h, e.g. 5s", a.CheckpointInterval)
	}
	if a.UnsealedGrace < time.Minute {
		add("STORAGEGW_AUDIT_UNSEALED_GRACE is %s: use at least 1m, e.g. 5m", a.UnsealedGrace)
	}
}

// validateLoad checks the load-shedding and slow-client bounds.
func (c *Config) validateLoad(add func(string, ...any)) {
	l := c.Load
	for _, b := range []struct {
		name string
		n    int
	}{{"STORAGEGW_MAX_IN_FLIGHT", l.MaxInFlight}, {"STORAGEGW_MAX_UPLOADS", l.MaxUploads},
		{"STORAGEGW_MAX_UPLOADS_PER_ORG", l.MaxUploadsPerOrg}, {"STORAGEGW_MIN_BODY_RATE_KIB", l.MinBodyRateKiB}} {
		if b.n < 0 {
			add("%s is %d: use 0 (no bound) or a positive number", b.name, b.n)
		}
	}
	if l.MaxUploads > 0 && l.MaxUploadsPerOrg > l.MaxUploads {
		add("STORAGEGW_MAX_UPLOADS_PER_ORG (%d) is above STORAGEGW_MAX_UPLOADS (%d): lower it, or raise the overall bound",
			l.MaxUploadsPerOrg, l.MaxUploads)
	}
	if t := l.RetryAfter; t < time.Second || t > time.Hour {
		add("STORAGEGW_RETRY_AFTER is %s: use 1s to 1h, e.g. 1s", t)
	}
	if t := l.BodyRateWindow; t < time.Second || t > time.Hour {
		add("STORAGEGW_BODY_RATE_WINDOW is %s: use 1s to 1h, e.g. 30s", t)
	}
	if t := l.WriteTimeout; t < time.Second {
		add("STORAGEGW_WRITE_TIMEOUT is %s: use at least 1s, e.g. 30s", t)
	}
	if t := l.IdleTimeout; t < time.Second {
		add("STORAGEGW_IDLE_TIMEOUT is %s: use at least 1s, e.g. 2m", t)
	}
}

// validateCORS checks STORAGEGW_CORS_ORIGINS: "*" alone, "none", or
// origins as a browser sends them (scheme://host[:port], no path, no
// trailing slash), each with at most one "*" in the host.
func (c *Config) validateCORS(add func(string, ...any)) {
	v := strings.TrimSpace(c.CORSOrigins)
	if v == "" || v == "*" || v == "none" {
		return
	}
	for _, o := range splitList(v) {
		if o == "*" || o == "none" {
			add("STORAGEGW_CORS_ORIGINS lists %q with other origins: use %q alone, or list the origins", o, o)
			continue
		}
		if !validOrigin(o) {
			add("STORAGEGW_CORS_ORIGINS entry %q is not an origin: use scheme://host[:port] with no path or trailing slash, "+
				"e.g. https://app.example.com or http://localhost:5173 (one * allowed in the host: https://*.example.com)", o)
		}
	}
}

// validOrigin reports whether o is an http(s) origin as browsers send it,
// allowing one "*" in the host.
func validOrigin(o string) bool {
	if strings.Count(o, "*") > 1 {
		return false
	}
	u, err := url.Parse(strings.Replace(o, "*", "wildcard", 1))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Hostname() != "" &&
		u.Path == "" && !u.ForceQuery && u.RawQuery == "" && u.Fragment == "" && u.User == nil && u.Opaque == "" &&
		!strings.HasSuffix(o, ":") && (u.Port() == "" || validPort(u.Port()))
}
