package configs

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

const goodSecret = "0123456789abcdef0123456789abcdef"

// production is a complete, valid production environment.
func production() map[string]string {
	return map[string]string{
		"STORAGEGW_ENV":        "production",
		"STORAGEGW_PUBLIC_URL": "https://files.example.com",
		"DATABASE_URL":         "postgres://gw:pw@db:5432/storagegw",
		"JWT_HS256_SECRET":     goodSecret,
		"SPACES_ENDPOINT":      "nyc3.digitaloceanspaces.com",
		"SPACES_BUCKET":        "files",
		"SPACES_ACCESS_KEY":    "AK",
		"SPACES_SECRET_KEY":    "SK",

		"STORAGEGW_AUDIT_SIGNING_KEY_FILE": "/run/secrets/audit-signing.pem",
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	m := maps.Clone(base)
	if m == nil {
		m = map[string]string{}
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	for name, e := range map[string]map[string]string{
		"development defaults": nil,
		"production":           production(),
		"jwks only":            with(production(), "JWT_HS256_SECRET", "", "JWT_JWKS_URL", "https://idp.example.com/jwks.json"),
		"jwks timings":         {"JWT_JWKS_REFRESH_INTERVAL": "10s", "JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL": "1s"},
		"ipv6 addr":            {"STORAGEGW_ADDR": "[::1]:8080"},
		"operations":           {"STORAGEGW_PURGE_INTERVAL": "24h", "STORAGEGW_METRICS_ADDR": "127.0.0.1:9090", "STORAGEGW_READYZ_TIMEOUT": "500ms", "STORAGEGW_SHUTDOWN_TIMEOUT": "2m"},
		"audit chain":          {"STORAGEGW_AUDIT_SEAL_INTERVAL": "0s", "STORAGEGW_AUDIT_CHECKPOINT_EVERY": "1", "STORAGEGW_AUDIT_CHECKPOINT_INTERVAL": "1h", "STORAGEGW_AUDIT_UNSEALED_GRACE": "1m"},
		"multipart":            {"STORAGEGW_MULTIPART_SESSION_TTL": "2h", "STORAGEGW_MULTIPART_PART_SIZE_MIB": "64", "STORAGEGW_UPLOAD_CLEANUP_INTERVAL": "0s"},
	} {
		if _, err := Load(env(e)); err != nil {
			t.Errorf("%s: got %v, want no error", name, err)
		}
	}
}

func TestValidateMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad env", with(nil, "STORAGEGW_ENV", "prod"), `STORAGEGW_ENV is "prod": set it to development or production`},
		{"addr no port", with(nil, "STORAGEGW_ADDR", "8080"), `STORAGEGW_ADDR "8080" is not host:port`},
		{"addr bad port", with(nil, "STORAGEGW_ADDR", ":http"), `STORAGEGW_ADDR ":http" is not host:port`},
		{"public url relative", with(nil, "STORAGEGW_PUBLIC_URL", "files.example.com"), "STORAGEGW_PUBLIC_URL \"files.example.com\" is not an absolute http(s) URL"},
		{"database scheme", with(nil, "DATABASE_URL", "mysql://x"), "DATABASE_URL must start with postgres://"},
		{"zero database timeout", with(nil, "DATABASE_OPERATION_TIMEOUT", "0s"), "DATABASE_OPERATION_TIMEOUT must be positive"},
		{"no database connections", with(nil, "DATABASE_MAX_CONNS", "0"), "DATABASE_MAX_CONNS is 0"},
		{"short secret", with(nil, "JWT_HS256_SECRET", "short"), "JWT_HS256_SECRET is shorter than 32 bytes"},
		{"two key sources", with(nil, "JWT_HS256_SECRET", goodSecret, "JWT_PUBLIC_KEY_FILE", "/k.pem"),
			"JWT_HS256_SECRET and JWT_PUBLIC_KEY_FILE are all set: set only one of"},
		{"jwks not url", with(nil, "JWT_JWKS_URL", "idp/jwks"), `JWT_JWKS_URL "idp/jwks" is not an absolute http(s) URL`},
		{"jwks refresh too short", with(nil, "JWT_JWKS_REFRESH_INTERVAL", "1s"), "JWT_JWKS_REFRESH_INTERVAL is 1s: use 10s to 24h"},
		{"jwks unknown kid too short", with(nil, "JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL", "100ms"), "JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL is 100ms: use 1s to 1h"},
		{"jwks unknown kid too long", with(nil, "JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL", "2h"), "JWT_JWKS_UNKNOWN_KID_REFRESH_INTERVAL is 2h0m0s"},
		{"leeway too long", with(nil, "JWT_LEEWAY", "1h"), "JWT_LEEWAY is 1h0m0s: use a duration between 0s and 5m"},
		{"spaces partial", with(nil, "SPACES_ENDPOINT", "nyc3.digitaloceanspaces.com"),
			"SPACES_BUCKET is empty but SPACES_ENDPOINT is set: set all of SPACES_ENDPOINT, SPACES_BUCKET, SPACES_ACCESS_KEY, SPACES_SECRET_KEY, or none"},
		{"spaces secret missing", with(nil, "SPACES_ENDPOINT", "e", "SPACES_BUCKET", "b", "SPACES_ACCESS_KEY", "a"),
			"SPACES_SECRET_KEY is empty but SPACES_ENDPOINT is set"},
		{"spaces region only", with(nil, "SPACES_REGION", "nyc3"), "SPACES_ENDPOINT is empty but SPACES_REGION or SPACES_CDN_ENDPOINT is set"},
		{"spaces endpoint path", with(production(), "SPACES_ENDPOINT", "nyc3/x"), `SPACES_ENDPOINT "nyc3/x" is neither a host name`},
		{"cdn not url", with(production(), "SPACES_CDN_ENDPOINT", "cdn.example.com"), `SPACES_CDN_ENDPOINT "cdn.example.com" is not an absolute http(s) URL`},
		{"part size too small", with(production(), "SPACES_PART_SIZE_MIB", "4"), "SPACES_PART_SIZE_MIB is 4: S3 parts are 5 to 5120 MiB"},
		{"zero store timeout", with(production(), "SPACES_OPERATION_TIMEOUT", "0s"), "SPACES_OPERATION_TIMEOUT must be positive"},
		{"log level", with(nil, "STORAGEGW_LOG_LEVEL", "loud"), `STORAGEGW_LOG_LEVEL is "loud": use debug, info, warn or error`},
		{"log format", with(nil, "STORAGEGW_LOG_FORMAT", "xml"), `STORAGEGW_LOG_FORMAT is "xml": use auto, console or json`},
		{"trusted proxy", with(nil, "STORAGEGW_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local"), `STORAGEGW_TRUSTED_PROXIES entry "proxy.local" is not an IP address or CIDR`},
		{"empty data dir", with(nil, "STORAGEGW_CONFIG", writeFile(t, "data_dir: \"\"\n")), "STORAGEGW_DATA_DIR is empty"},
		{"empty org claim", with(nil, "STORAGEGW_CONFIG", writeFile(t, "jwt:\n  org_claim: \"\"\n")), "JWT_ORG_CLAIM is empty"},
		{"empty role claim", with(nil, "STORAGEGW_CONFIG", writeFile(t, "jwt:\n  role_claim: \"\"\n")), "JWT_ROLE_CLAIM is empty"},
		{"quota bytes", with(nil, "STORAGEGW_QUOTA_BYTES", "10 parsecs"), `STORAGEGW_QUOTA_BYTES: "10 parsecs" is not a size`},
		{"quota files", with(nil, "STORAGEGW_QUOTA_FILES", "-3"), `STORAGEGW_QUOTA_FILES: "-3" is not a file count`},
		{"quota overrides", with(nil, "STORAGEGW_QUOTA_OVERRIDES", "org-1=10GiB/x"), `STORAGEGW_QUOTA_OVERRIDES: org org-1: "x" is not a file count`},
		{"upload lease", with(nil, "STORAGEGW_UPLOAD_LEASE", "1s"), "STORAGEGW_UPLOAD_LEASE is 1s: use 3s to 10m"},
		{"claim lease", with(nil, "STORAGEGW_MULTIPART_CLAIM_LEASE", "2h"), "STORAGEGW_MULTIPART_CLAIM_LEASE is 2h0m0s: use 30s to 1h"},
		{"soft delete", with(nil, "STORAGEGW_CONFIG", writeFile(t, "retention:\n  soft_delete: -1h\n")), "retention.soft_delete is -1h0m0s: use a positive duration"},
		{"purge interval short", with(nil, "STORAGEGW_PURGE_INTERVAL", "5s"), "STORAGEGW_PURGE_INTERVAL is 5s: use 0s (no in-process purge) or at least 1m"},
		{"purge interval negative", with(nil, "STORAGEGW_PURGE_INTERVAL", "-1h"), "STORAGEGW_PURGE_INTERVAL is -1h0m0s"},
		{"session ttl short", with(nil, "STORAGEGW_MULTIPART_SESSION_TTL", "30s"), "STORAGEGW_MULTIPART_SESSION_TTL is 30s: use 1m to 168h"},
		{"session ttl long", with(nil, "STORAGEGW_MULTIPART_SESSION_TTL", "200h"), "STORAGEGW_MULTIPART_SESSION_TTL is 200h0m0s"},
		{"part size small", with(nil, "STORAGEGW_MULTIPART_PART_SIZE_MIB", "4"), "STORAGEGW_MULTIPART_PART_SIZE_MIB is 4: use 5 to 5120"},
		{"part size large", with(nil, "STORAGEGW_MULTIPART_PART_SIZE_MIB", "6000"), "STORAGEGW_MULTIPART_PART_SIZE_MIB is 6000"},
		{"cleanup interval short", with(nil, "STORAGEGW_UPLOAD_CLEANUP_INTERVAL", "10s"), "STORAGEGW_UPLOAD_CLEANUP_INTERVAL is 10s: use 0s"},
		{"metrics addr", with(nil, "STORAGEGW_METRICS_ADDR", "9090"), `STORAGEGW_METRICS_ADDR "9090" is not host:port`},
		{"metrics addr same", with(nil, "STORAGEGW_METRICS_ADDR", ":8080"), "STORAGEGW_METRICS_ADDR equals STORAGEGW_ADDR"},
		{"readyz timeout", with(nil, "STORAGEGW_READYZ_TIMEOUT", "0s"), "STORAGEGW_READYZ_TIMEOUT is 0s"},
		{"readyz timeout long", with(nil, "STORAGEGW_READYZ_TIMEOUT", "5m"), "STORAGEGW_READYZ_TIMEOUT is 5m0s"},
		{"free disk floor negative", with(nil, "STORAGEGW_MIN_FREE_DISK_MIB", "-1"), "STORAGEGW_MIN_FREE_DISK_MIB is -1"},
		{"shutdown timeout", with(nil, "STORAGEGW_SHUTDOWN_TIMEOUT", "-1s"), "STORAGEGW_SHUTDOWN_TIMEOUT is -1s"},
		{"limits unknown kind", with(nil, "STORAGEGW_CONFIG", writeFile(t, "limits:\n  accounting/recipe: {max_bytes: 1}\n")), `limits: unknown kind "accounting/recipe"`},
		{"limits no slash", with(nil, "STORAGEGW_CONFIG", writeFile(t, "limits:\n  receipt: {max_bytes: 1}\n")), `limits: unknown kind "receipt": write it as system/object_type`},
		{"limits negative", with(nil, "STORAGEGW_CONFIG", writeFile(t, "limits:\n  accounting/receipt: {max_bytes: -1}\n")), "limits: accounting/receipt: max_bytes must not be negative"},
		{"limits bad type", with(nil, "STORAGEGW_CONFIG", writeFile(t, "limits:\n  accounting/receipt: {allowed: [pdf]}\n")), `limits: accounting/receipt: allowed entry "pdf" is not a content type`},
		{"prod sqlite", with(production(), "DATABASE_URL", ""), "STORAGEGW_ENV=production refuses SQLite: set DATABASE_URL"},
		{"prod local disk", with(production(), "SPACES_ENDPOINT", "", "SPACES_BUCKET", "", "SPACES_ACCESS_KEY", "", "SPACES_SECRET_KEY", ""),
			"STORAGEGW_ENV=production refuses local disk: set all of SPACES_ENDPOINT"},
		{"prod plain http store", with(production(), "SPACES_USE_SSL", "false"), "STORAGEGW_ENV=production refuses plain-HTTP object storage"},
		{"prod dev secret", with(production(), "JWT_HS256_SECRET", ""), "STORAGEGW_ENV=production refuses the generated development JWT secret"},
		{"prod dev audit key", with(production(), "STORAGEGW_AUDIT_SIGNING_KEY_FILE", ""), "STORAGEGW_ENV=production refuses the generated development audit signing key"},
		{"seal interval", with(nil, "STORAGEGW_AUDIT_SEAL_INTERVAL", "5m"), "STORAGEGW_AUDIT_SEAL_INTERVAL is 5m0s"},
		{"checkpoint every", with(nil, "STORAGEGW_AUDIT_CHECKPOINT_EVERY", "0"), "STORAGEGW_AUDIT_CHECKPOINT_EVERY is 0"},
		{"checkpoint interval", with(nil, "STORAGEGW_AUDIT_CHECKPOINT_INTERVAL", "0s"), "STORAGEGW_AUDIT_CHECKPOINT_INTERVAL is 0s"},
		{"unsealed grace", with(nil, "STORAGEGW_AUDIT_UNSEALED_GRACE", "1s"), "STORAGEGW_AUDIT_UNSEALED_GRACE is 1s"},
		{"prod http public url", with(production(), "STORAGEGW_PUBLIC_URL", "http://files.example.com"), "STORAGEGW_ENV=production needs STORAGEGW_PUBLIC_URL set to the https:// URL"},
		{"prod no public url", with(production(), "STORAGEGW_PUBLIC_URL", ""), "STORAGEGW_ENV=production needs STORAGEGW_PUBLIC_URL"},
		{"prod http jwks", with(production(), "JWT_HS256_SECRET", "", "JWT_JWKS_URL", "http://idp/jwks"), "STORAGEGW_ENV=production needs JWT_JWKS_URL to be an https:// URL"},
		{"prod http cdn", with(production(), "SPACES_CDN_ENDPOINT", "http://cdn.example.com"), "STORAGEGW_ENV=production needs SPACES_CDN_ENDPOINT to be an https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a problem containing %q", err, tt.want)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"STORAGEGW_ADDR": "x", "STORAGEGW_LOG_LEVEL": "loud"}))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("got %v, want two problems", err)
	}
}
