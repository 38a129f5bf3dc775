package configs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// envVar is one environment variable and how it sets the configuration.
type envVar struct {
	name string
	set  func(c *Config, v string) error
}

func str(f func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func secret(f func(c *Config) *Secret) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = Secret(v); return nil }
}

func boolean(f func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		*f(c) = b
		return nil
	}
}

func integer(f func(c *Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("must be a whole number, got %q", v)
		}
		*f(c) = n
		return nil
	}
}

func duration(f func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("must be a duration such as 30s or 1h, got %q", v)
		}
		*f(c) = d
		return nil
	}
}

// envVars lists every variable Load reads besides STORAGEGW_CONFIG, in the
// order of .env.example.
var envVars = []envVar{
	{"STORAGEGW_ENV", str(func(c *Config) *string { return &c.Env })},
	{"STORAGEGW_ADDR", str(func(c *Config) *string { return &c.Addr })},
	{"STORAGEGW_DATA_DIR", str(func(c *Config) *string { return &c.DataDir })},
	{"STORAGEGW_PUBLIC_URL", str(func(c *Config) *string { return &c.ConfiguredPublicURL })},
	{"DATABASE_URL", func(c *Config, v string) error { c.DatabaseURL = DSN(v); return nil }},
	{"DATABASE_CONNECT_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Database.ConnectTimeout })},
	{"DATABASE_STATEMENT_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Database.StatementTimeout })},
	{"DATABASE_OPERATION_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Database.OperationTimeout })},
	{"DATABASE_MAX_CONNS", integer(func(c *Config) *int { return &c.Database.MaxConns })},
	{"JWT_HS256_SECRET", secret(func(c *Config) *Secret { return &c.JWT.HS256Secret })},
	{"JWT_JWKS_URL", str(func(c *Config) *string { return &c.JWT.JWKSURL })},
	{"JWT_PUBLIC_KEY_FILE", str(func(c *Config) *string { return &c.JWT.PublicKeyFile })},
	{"JWT_ISSUER", str(func(c *Config) *string { return &c.JWT.Issuer })},
	{"JWT_AUDIENCE", str(func(c *Config) *string { return &c.JWT.Audience })},
	{"JWT_ORG_CLAIM", str(func(c *Config) *string { return &c.JWT.OrgClaim })},
	{"JWT_ROLE_CLAIM", str(func(c *Config) *string { return &c.JWT.RoleClaim })},
	{"JWT_LEEWAY", duration(func(c *Config) *time.Duration { return &c.JWT.Leeway })},
	{"JWT_JWKS_REFRESH_INTERVAL", duration(func(c *Config) *time.Duration { return &c.JWT.JWKSRefreshInterval })},
	{"JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL", duration(func(c *Config) *time.Duration { return &c.JWT.JWKSUnknownKIDRefreshInterval })},
	{"SPACES_ENDPOINT", str(func(c *Config) *string { return &c.Spaces.Endpoint })},
	{"SPACES_REGION", str(func(c *Config) *string { return &c.Spaces.Region })},
	{"SPACES_BUCKET", str(func(c *Config) *string { return &c.Spaces.Bucket })},
	{"SPACES_ACCESS_KEY", secret(func(c *Config) *Secret { return &c.Spaces.AccessKey })},
	{"SPACES_SECRET_KEY", secret(func(c *Config) *Secret { return &c.Spaces.SecretKey })},
	{"SPACES_CDN_ENDPOINT", str(func(c *Config) *string { return &c.Spaces.CDNEndpoint })},
	{"SPACES_USE_SSL", boolean(func(c *Config) *bool { return &c.Spaces.UseSSL })},
	{"SPACES_PATH_STYLE", boolean(func(c *Config) *bool { return &c.Spaces.PathStyle })},
	{"SPACES_PART_SIZE_MIB", integer(func(c *Config) *int { return &c.Spaces.PartSizeMiB })},
	{"SPACES_REQUEST_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Spaces.RequestTimeout })},
	{"SPACES_OPERATION_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Spaces.OperationTimeout })},
	{"STORAGEGW_LOG_LEVEL", str(func(c *Config) *string { return &c.Log.Level })},
	{"STORAGEGW_LOG_FORMAT", str(func(c *Config) *string { return &c.Log.Format })},
	{"STORAGEGW_MIGRATE_ON_START", boolean(func(c *Config) *bool { return &c.MigrateOnStart })},
	{"STORAGEGW_CORS_ORIGINS", str(func(c *Config) *string { return &c.CORSOrigins })},
	{"STORAGEGW_TRUSTED_PROXIES", func(c *Config, v string) error {
		c.TrustedProxies = splitList(v)
		return nil
	}},
	{"STORAGEGW_PURGE_INTERVAL", duration(func(c *Config) *time.Duration { return &c.Retention.PurgeInterval })},
	{"STORAGEGW_UPLOAD_LEASE", duration(func(c *Config) *time.Duration { return &c.Uploads.Lease })},
	{"STORAGEGW_MULTIPART_CLAIM_LEASE", duration(func(c *Config) *time.Duration { return &c.Uploads.MultipartClaimLease })},
	{"STORAGEGW_MULTIPART_SESSION_TTL", duration(func(c *Config) *time.Duration { return &c.Uploads.MultipartSessionTTL })},
	{"STORAGEGW_MULTIPART_PART_SIZE_MIB", integer(func(c *Config) *int { return &c.Uploads.MultipartPartSizeMiB })},
	{"STORAGEGW_UPLOAD_CLEANUP_INTERVAL", duration(func(c *Config) *time.Duration { return &c.Uploads.CleanupInterval })},
	{"STORAGEGW_IDEMPOTENCY_TTL", duration(func(c *Config) *time.Duration { return &c.Uploads.IdempotencyTTL })},
	{"STORAGEGW_IDEMPOTENCY_LEASE", duration(func(c *Config) *time.Duration { return &c.Uploads.IdempotencyLease })},
	{"STORAGEGW_UPLOAD_CAPABILITY_TTL", duration(func(c *Config) *time.Duration { return &c.Uploads.CapabilityTTL })},
	{"STORAGEGW_UPLOAD_CAPABILITY_SECRET", secret(func(c *Config) *Secret { return &c.Uploads.CapabilitySecret })},
	{"STORAGEGW_GATEWAY_LINK_KINDS", str(func(c *Config) *string { return &c.Links.GatewayKinds })},
	{"STORAGEGW_UNVERSIONED_KINDS", str(func(c *Config) *string { return &c.Versions.UnversionedKinds })},
	{"STORAGEGW_VERSION_RETENTION", duration(func(c *Config) *time.Duration { return &c.Versions.Retention })},
	{"STORAGEGW_LINK_SIGNING_SECRET", secret(func(c *Config) *Secret { return &c.Links.SigningSecret })},
	{"STORAGEGW_METRICS_ADDR", str(func(c *Config) *string { return &c.MetricsAddr })},
	{"STORAGEGW_READYZ_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.ReadyzTimeout })},
	{"STORAGEGW_MIN_FREE_DISK_MIB", integer(func(c *Config) *int { return &c.MinFreeDiskMiB })},
	{"STORAGEGW_SHUTDOWN_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"STORAGEGW_MAX_IN_FLIGHT", integer(func(c *Config) *int { return &c.Load.MaxInFlight })},
	{"STORAGEGW_MAX_UPLOADS", integer(func(c *Config) *int { return &c.Load.MaxUploads })},
	{"STORAGEGW_MAX_UPLOADS_PER_ORG", integer(func(c *Config) *int { return &c.Load.MaxUploadsPerOrg })},
	{"STORAGEGW_RETRY_AFTER", duration(func(c *Config) *time.Duration { return &c.Load.RetryAfter })},
	{"STORAGEGW_MIN_BODY_RATE_KIB", integer(func(c *Config) *int { return &c.Load.MinBodyRateKiB })},
	{"STORAGEGW_BODY_RATE_WINDOW", duration(func(c *Config) *time.Duration { return &c.Load.BodyRateWindow })},
	{"STORAGEGW_WRITE_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Load.WriteTimeout })},
	{"STORAGEGW_IDLE_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.Load.IdleTimeout })},
	{"STORAGEGW_AUDIT_SIGNING_KEY_FILE", str(func(c *Config) *string { return &c.Audit.SigningKeyFile })},
	{"STORAGEGW_AUDIT_VERIFY_KEYS_FILE", str(func(c *Config) *string { return &c.Audit.VerifyKeysFile })},
	{"STORAGEGW_AUDIT_SEAL_INTERVAL", duration(func(c *Config) *time.Duration { return &c.Audit.SealInterval })},
	{"STORAGEGW_AUDIT_CHECKPOINT_EVERY", integer(func(c *Config) *int { return &c.Audit.CheckpointEvery })},
	{"STORAGEGW_AUDIT_CHECKPOINT_INTERVAL", duration(func(c *Config) *time.Duration { return &c.Audit.CheckpointInterval })},
	{"STORAGEGW_AUDIT_UNSEALED_GRACE", duration(func(c *Config) *time.Duration { return &c.Audit.UnsealedGrace })},
	{"STORAGEGW_QUOTA_BYTES", str(func(c *Config) *string { return &c.Quotas.Bytes })},
	{"STORAGEGW_QUOTA_FILES", str(func(c *Config) *string { return &c.Quotas.Files })},
	{"STORAGEGW_QUOTA_OVERRIDES", str(func(c *Config) *string { return &c.Quotas.Overrides })},
}

// EnvNames lists every environment variable Load reads.
func EnvNames() []string {
	names := []string{"STORAGEGW_CONFIG"}
	for _, e := range envVars {
		names = append(names, e.name)
	}
	return names
}

// applyEnv overrides c with every non-empty variable.
func (c *Config) applyEnv(getenv func(string) string) error {
	for _, e := range envVars {
		v := strings.TrimSpace(getenv(e.name))
		if v == "" {
			continue
		}
		if err := e.set(c, v); err != nil {
			return fmt.Errorf("configs: %s %w", e.name, err)
		}
	}
	return nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
