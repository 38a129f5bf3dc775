// Package configs loads storagegw's configuration: embedded YAML defaults,
// then an optional config file, then environment variables.
package configs

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// The values of Config.Env.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is the whole configuration. Build it with Load; the zero value is
// not usable.
type Config struct {
	Env     string `yaml:"env"`
	Addr    string `yaml:"addr"`
	DataDir string `yaml:"data_dir"`
	// ConfiguredPublicURL is the public_url setting as given; use PublicURL.
	ConfiguredPublicURL string           `yaml:"public_url"`
	DatabaseURL         DSN              `yaml:"database_url"`
	Database            DatabaseConfig   `yaml:"database"`
	JWT                 JWTConfig        `yaml:"jwt"`
	Spaces              SpacesConfig     `yaml:"spaces"`
	Log                 LogConfig        `yaml:"log"`
	Uploads             UploadsConfig    `yaml:"uploads"`
	Retention           RetentionConfig  `yaml:"retention"`
	Links               LinksConfig      `yaml:"links"`
	Versions            VersionsConfig   `yaml:"versions"`
	TrustedProxies      []string         `yaml:"trusted_proxies"`
	MigrateOnStart      bool             `yaml:"migrate_on_start"`
	Limits              map[string]Limit `yaml:"limits"`
	// MetricsAddr is the listen address of /metrics; empty serves it on Addr.
	MetricsAddr string `yaml:"metrics_addr"`
	// ReadyzTimeout bounds each check of /readyz.
	ReadyzTimeout time.Duration `yaml:"readyz_timeout"`
	// MinFreeDiskMiB is the free space /readyz wants in the data dir when
	// local disk or SQLite lives there; 0 turns the check off.
	MinFreeDiskMiB int `yaml:"min_free_disk_mib"`
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// once a stop signal arrived.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// Load sheds load and cuts slow clients.
	Load LoadConfig `yaml:"load"`
	// Audit seals the audit trail into signed hash chains.
	Audit AuditConfig `yaml:"audit"`
	// CORSOrigins is the origins whose pages may call the service, as
	// given: a comma-separated list, "*", "none", or empty for the
	// environment's default. Use CORSAllowList.
	CORSOrigins string `yaml:"cors_origins"`
	// Quotas bound each org's storage (use QuotaPolicy).
	Quotas QuotasConfig `yaml:"quotas"`
}

// QuotasConfig is the quota of every org as given: a default byte size
// and file count ("" or "unlimited": none) and per-org overrides
// ("org-1=10GiB/100000,org-2=500MiB/unlimited").
type QuotasConfig struct {
	Bytes     string `yaml:"bytes"`
	Files     string `yaml:"files"`
	Overrides string `yaml:"overrides"`
}

// AuditConfig tunes the audit chain (docs/DESIGN.md "Audit trail"): the
// Ed25519 key that signs checkpoints (empty: a development key generated
// into the data dir), the retired public keys still accepted, how often
// serve seals (0: never; run `storagegw audit seal`), when a checkpoint is
// due, and how long an event may stay unsealed before `audit verify`
// reports it.
type AuditConfig struct {
	SigningKeyFile     string        `yaml:"signing_key_file"`
	VerifyKeysFile     string        `yaml:"verify_keys_file"`
	SealInterval       time.Duration `yaml:"seal_interval"`
	CheckpointEvery    int           `yaml:"checkpoint_every"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	UnsealedGrace      time.Duration `yaml:"unsealed_grace"`
}

// LoadConfig bounds the work in flight and the time a client may hold a
// connection without making progress; zero bounds are off.
type LoadConfig struct {
	MaxInFlight      int           `yaml:"max_in_flight"`
	MaxUploads       int           `yaml:"max_uploads"`
	MaxUploadsPerOrg int           `yaml:"max_uploads_per_org"`
	RetryAfter       time.Duration `yaml:"retry_after"`
	// MinBodyRateKiB is the slowest an upload body may arrive, in KiB/s
	// over each BodyRateWindow, and the slowest a download may be taken.
	MinBodyRateKiB int           `yaml:"min_body_rate_kib"`
	BodyRateWindow time.Duration `yaml:"body_rate_window"`
	// WriteTimeout bounds writing an answer that is not a file download.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout closes a keep-alive connection idle this long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
}

// JWTConfig says how caller tokens are verified. At most one of
// HS256Secret, JWKSURL and PublicKeyFile is set; none means the development
// secret of the data dir.
type JWTConfig struct {
	HS256Secret   Secret        `yaml:"hs256_secret"`
	JWKSURL       string        `yaml:"jwks_url"`
	PublicKeyFile string        `yaml:"public_key_file"`
	Issuer        string        `yaml:"issuer"`
	Audience      string        `yaml:"audience"`
	OrgClaim      string        `yaml:"org_claim"`
	RoleClaim     string        `yaml:"role_claim"`
	Leeway        time.Duration `yaml:"leeway"`
	// JWKSRefreshInterval is how often the JWK Set is fetched again (a key
	// removed from it stops being accepted within this long);
	// JWKSUnknownKIDRefreshInterval is the least time between fetches
	// caused by a token naming an unknown key id.
	JWKSRefreshInterval           time.Duration `yaml:"jwks_refresh_interval"`
	JWKSUnknownKIDRefreshInterval time.Duration `yaml:"jwks_unknown_kid_refresh_interval"`
}

// DatabaseConfig bounds the database's connections and operations
// (docs/OPERATIONAL_RUNBOOK.md, "Database down").
type DatabaseConfig struct {
	// ConnectTimeout bounds establishing a PostgreSQL connection.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// StatementTimeout is PostgreSQL's statement_timeout (not applied to
	// migrations).
	StatementTimeout time.Duration `yaml:"statement_timeout"`
	// OperationTimeout is the client-side deadline of each database
	// operation or transaction: a database that stops answering fails
	// requests with 503 database_unavailable after it.
	OperationTimeout time.Duration `yaml:"operation_timeout"`
	// MaxConns is the PostgreSQL pool size (SQLite always uses one).
	MaxConns int `yaml:"max_conns"`
}

// SpacesConfig is the S3-compatible object store; all empty means local disk.
type SpacesConfig struct {
	Endpoint    string `yaml:"endpoint"`
	Region      string `yaml:"region"`
	Bucket      string `yaml:"bucket"`
	AccessKey   Secret `yaml:"access_key"`
	SecretKey   Secret `yaml:"secret_key"`
	CDNEndpoint string `yaml:"cdn_endpoint"`
	UseSSL      bool   `yaml:"use_ssl"`
	PathStyle   bool   `yaml:"path_style"`
	// PartSizeMiB is the part size of the first 1000 parts of streamed
	// uploads (5–5120); each upload holds two such buffers.
	PartSizeMiB int `yaml:"part_size_mib"`
	// RequestTimeout is how long no byte may move on a store request; the
	// OperationTimeout is each operation's budget, retries included.
	RequestTimeout   time.Duration `yaml:"request_timeout"`
	OperationTimeout time.Duration `yaml:"operation_timeout"`
}

// LogConfig is the logger's level and format (auto, console or json).
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// UploadsConfig tunes upload handling.
type UploadsConfig struct {
	// Lease is how long an upload's reservation of its path holds without
	// renewal; a streamed upload renews it every Lease/3, so a crashed or
	// cut upload frees its path within Lease.
	Lease time.Duration `yaml:"lease"`
	// MultipartClaimLease is how long the claim of a request completing or
	// aborting a multipart upload holds without renewal; then a retry,
	// another replica or the clean-up takes the upload over.
	MultipartClaimLease time.Duration `yaml:"multipart_claim_lease"`
	// MultipartSessionTTL is how long a multipart upload may take from
	// initiate to complete before it is refused and cleaned up.
	MultipartSessionTTL time.Duration `yaml:"multipart_session_ttl"`
	// MultipartPartSizeMiB is the part size offered to multipart clients
	// (5 to 5120); it grows for files that would need more than 10,000 parts.
	MultipartPartSizeMiB int `yaml:"multipart_part_size_mib"`
	// CleanupInterval is how often serve cleans up expired multipart
	// uploads itself; 0 = never (run `storagegw cleanup-uploads`).
	CleanupInterval time.Duration `yaml:"cleanup_interval"`
	// IdempotencyTTL is how long an Idempotency-Key and its answer are
	// kept from its first request; IdempotencyLease how long the claim of
	// a key whose first request stopped answering blocks it.
	IdempotencyTTL   time.Duration `yaml:"idempotency_ttl"`
	IdempotencyLease time.Duration `yaml:"idempotency_lease"`
	// CapabilityTTL is how long an upload capability (the token-free
	// endpoint of browser uploaders such as Uppy) stays valid unless its
	// caller asks for less or more (1m to 1h).
	CapabilityTTL time.Duration `yaml:"capability_ttl"`
	// CapabilitySecret seals upload capabilities (at least 32 bytes);
	// empty: a development secret generated into the data dir. Replicas
	// that do not share the data dir must share this secret.
	CapabilitySecret Secret `yaml:"capability_secret"`
}

// LinksConfig configures the links of signed URLs.
type LinksConfig struct {
	// GatewayKinds lists, comma-separated as system/object_type, the kinds
	// whose signed URLs go through the gateway when the store presigns
	// (Spaces): the URL points at the service, which checks and audits
	// every use and redirects to a store URL of at most 60 s. "none": no
	// kind (links with max_uses still do).
	GatewayKinds string `yaml:"gateway_kinds"`
	// SigningSecret signs gateway URLs (at least 32 bytes); empty: the
	// data dir's URL-signing key. Replicas that do not share the data dir
	// must share this secret.
	SigningSecret Secret `yaml:"signing_secret"`
}

// RetentionConfig says how long soft-deleted files are kept, and how often
// serve runs the retention purge itself (0: never; run `storagegw purge`).
type RetentionConfig struct {
	SoftDelete    time.Duration `yaml:"soft_delete"`
	PurgeInterval time.Duration `yaml:"purge_interval"`
}

// VersionsConfig says which kinds keep the content an overwrite replaces
// as a version, and for how long once replaced.
type VersionsConfig struct {
	// UnversionedKinds lists the kinds (system/object_type, comma-separated)
	// whose overwrites keep no version (STORAGEGW_UNVERSIONED_KINDS); empty:
	// every kind is versioned. Use UnversionedKinds.
	UnversionedKinds string `yaml:"unversioned_kinds"`
	// Retention is how long a replaced version is kept before the
	// retention purge removes it (STORAGEGW_VERSION_RETENTION); 0s: the
	// soft-delete retention.
	Retention time.Duration `yaml:"retention"`
}

// Limit overrides a built-in content rule; zero values keep the built-in one.
type Limit struct {
	MaxBytes int64    `yaml:"max_bytes"`
	Allowed  []string `yaml:"allowed"`
}

// Load builds the configuration from the embedded defaults, the YAML file
// named by STORAGEGW_CONFIG if any, and the environment as seen through
// getenv (os.Getenv in production, a map in tests), then validates it.
// An environment variable overrides only when it is non-empty.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{}
	if err := decodeYAML(defaultsYAML, c); err != nil {
		return nil, fmt.Errorf("configs: embedded defaults.yaml: %w", err)
	}
	if path := getenv("STORAGEGW_CONFIG"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("configs: STORAGEGW_CONFIG: %w", err)
		}
		if err := decodeYAML(b, c); err != nil {
			return nil, fmt.Errorf("configs: STORAGEGW_CONFIG %q: %w", path, err)
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeYAML decodes onto c, keeping what the document does not mention and
// refusing unknown keys so a misspelt setting is not silently ignored.
func decodeYAML(b []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// IsProduction reports whether STORAGEGW_ENV is production.
func (c *Config) IsProduction() bool { return c.Env == EnvProduction }

// PublicURL is the base URL of the service without a trailing slash: the
// configured one, or http://localhost: and the port of Addr.
func (c *Config) PublicURL() string {
	if c.ConfiguredPublicURL != "" {
		return strings.TrimRight(c.ConfiguredPublicURL, "/")
	}
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" {
		port = "8080"
	}
	return "http://localhost:" + port
}

// CORSAllowList is the origins whose pages may call the service: the
// configured list, ["*"] for any, or nil for none (same origin only).
// Unset, development allows any origin and production none.
func (c *Config) CORSAllowList() []string {
	switch v := strings.TrimSpace(c.CORSOrigins); v {
	case "":
		if c.IsProduction() {
			return nil
		}
		return []string{"*"}
	case "none":
		return nil
	default:
		return splitList(v)
	}
}

// UsesSQLite reports whether no DATABASE_URL is set.
func (c *Config) UsesSQLite() bool { return c.DatabaseURL == "" }

// UsesLocalDisk reports whether no object store is configured.
func (c *Config) UsesLocalDisk() bool { return !c.Spaces.anySet() }

// UsesDevSecret reports whether no JWT key source is configured, so tokens
// are verified with the development secret of the data dir.
func (c *Config) UsesDevSecret() bool { return len(c.JWT.sources()) == 0 }

// UsesDevDefaults reports whether neither a database nor an object store is
// configured: the service runs on SQLite and local disk under the data dir.
func (c *Config) UsesDevDefaults() bool { return c.UsesSQLite() && c.UsesLocalDisk() }

// LogFormat resolves Log.Format: "auto" is console unless in production.
func (c *Config) LogFormat() string {
	if c.Log.Format == "" || c.Log.Format == "auto" {
		if c.IsProduction() {
			return "json"
		}
		return "console"
	}
	return c.Log.Format
}

// SQLitePath is the SQLite database file used when DATABASE_URL is empty.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "storagegw.db") }

// BlobRoot is the directory of local-disk blobs.
func (c *Config) BlobRoot() string { return filepath.Join(c.DataDir, "blobs") }

// DevSecretPath is the file holding the generated development JWT secret.
func (c *Config) DevSecretPath() string { return filepath.Join(c.DataDir, "dev-jwt-secret") }

// CapabilitySecretPath is the file holding the generated development
// secret of upload capabilities, used when none is configured.
func (c *Config) CapabilitySecretPath() string {
	return filepath.Join(c.DataDir, "upload-capability-secret")
}

// AuditKeyPath is the Ed25519 key that signs audit checkpoints: the
// configured file, else the development key generated into the data dir.
func (c *Config) AuditKeyPath() string {
	if c.Audit.SigningKeyFile != "" {
		return c.Audit.SigningKeyFile
	}
	return filepath.Join(c.DataDir, "audit-signing.key")
}

// URLKeyPath is the file holding the key that signs local-disk URLs.
func (c *Config) URLKeyPath() string { return filepath.Join(c.DataDir, "url-signing.key") }
