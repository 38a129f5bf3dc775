package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "storagegw.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load with no settings: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Addr", c.Addr, ":8080"},
		{"DataDir", c.DataDir, "./data"},
		{"PublicURL", c.PublicURL(), "http://localhost:8080"},
		{"UsesDevDefaults", c.UsesDevDefaults(), true},
		{"UsesDevSecret", c.UsesDevSecret(), true},
		{"SQLitePath", c.SQLitePath(), filepath.Join("data", "storagegw.db")},
		{"BlobRoot", c.BlobRoot(), filepath.Join("data", "blobs")},
		{"DevSecretPath", c.DevSecretPath(), filepath.Join("data", "dev-jwt-secret")},
		{"URLKeyPath", c.URLKeyPath(), filepath.Join("data", "url-signing.key")},
		{"OrgClaim", c.JWT.OrgClaim, "org_id"},
		{"RoleClaim", c.JWT.RoleClaim, "role"},
		{"Leeway", c.JWT.Leeway, 30 * time.Second},
		{"UseSSL", c.Spaces.UseSSL, true},
		{"LogLevel", c.Log.Level, "info"},
		{"LogFormat", c.LogFormat(), "console"},
		{"Lease", c.Uploads.Lease, 30 * time.Second},
		{"MultipartClaimLease", c.Uploads.MultipartClaimLease, 2 * time.Minute},
		{"MultipartSessionTTL", c.Uploads.MultipartSessionTTL, 24 * time.Hour},
		{"MultipartPartSizeMiB", c.Uploads.MultipartPartSizeMiB, 16},
		{"CleanupInterval", c.Uploads.CleanupInterval, time.Hour},
		{"IdempotencyTTL", c.Uploads.IdempotencyTTL, 24 * time.Hour},
		{"IdempotencyLease", c.Uploads.IdempotencyLease, 30 * time.Second},
		{"SoftDelete", c.Retention.SoftDelete, 90 * 24 * time.Hour},
		{"PurgeInterval", c.Retention.PurgeInterval, time.Duration(0)},
		{"MetricsAddr", c.MetricsAddr, ""},
		{"ReadyzTimeout", c.ReadyzTimeout, 2 * time.Second},
		{"MinFreeDiskMiB", c.MinFreeDiskMiB, 512},
		{"ShutdownTimeout", c.ShutdownTimeout, 30 * time.Second},
		{"MigrateOnStart", c.MigrateOnStart, true},
		{"TrustedProxies", len(c.TrustedProxies), 0},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "addr: \":9000\"\nlog:\n  level: debug\njwt:\n  leeway: 10s\n")
	tests := []struct {
		name     string
		env      map[string]string
		addr     string
		level    string
		leeway   time.Duration
		proxies  int
		migrate  bool
		publicTo string
	}{
		{"defaults only", nil, ":8080", "info", 30 * time.Second, 0, true, "http://localhost:8080"},
		{"file over defaults", map[string]string{"STORAGEGW_CONFIG": file}, ":9000", "debug", 10 * time.Second, 0, true, "http://localhost:9000"},
		{"env over file", map[string]string{
			"STORAGEGW_CONFIG": file, "STORAGEGW_ADDR": "127.0.0.1:9100", "STORAGEGW_LOG_LEVEL": "warn",
			"JWT_LEEWAY": "1m", "STORAGEGW_TRUSTED_PROXIES": " 10.0.0.0/8, ,192.168.1.1 ",
			"STORAGEGW_MIGRATE_ON_START": "false", "STORAGEGW_PUBLIC_URL": "https://files.example.com/",
		}, "127.0.0.1:9100", "warn", time.Minute, 2, false, "https://files.example.com"},
		{"empty env keeps file", map[string]string{"STORAGEGW_CONFIG": file, "STORAGEGW_ADDR": ""}, ":9000", "debug", 10 * time.Second, 0, true, "http://localhost:9000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Addr != tt.addr || c.Log.Level != tt.level || c.JWT.Leeway != tt.leeway ||
				len(c.TrustedProxies) != tt.proxies || c.MigrateOnStart != tt.migrate || c.PublicURL() != tt.publicTo {
				t.Errorf("got addr=%s level=%s leeway=%s proxies=%v migrate=%v public=%s, want %s %s %s %d %v %s",
					c.Addr, c.Log.Level, c.JWT.Leeway, c.TrustedProxies, c.MigrateOnStart, c.PublicURL(),
					tt.addr, tt.level, tt.leeway, tt.proxies, tt.migrate, tt.publicTo)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing config file", map[string]string{"STORAGEGW_CONFIG": "/nonexistent/storagegw.yaml"}, "STORAGEGW_CONFIG"},
		{"misspelt key", map[string]string{"STORAGEGW_CONFIG": writeFile(t, "adr: \":1\"\n")}, "field adr not found"},
		{"bad duration", map[string]string{"STORAGEGW_CONFIG": writeFile(t, "uploads:\n  lease: soon\n")}, "line 2: cannot unmarshal"},
		{"bad bool env", map[string]string{"STORAGEGW_MIGRATE_ON_START": "maybe"}, "STORAGEGW_MIGRATE_ON_START must be true or false"},
		{"bad duration env", map[string]string{"JWT_LEEWAY": "5"}, "JWT_LEEWAY must be a duration"},
		{"bad purge interval env", map[string]string{"STORAGEGW_PURGE_INTERVAL": "daily"}, "STORAGEGW_PURGE_INTERVAL must be a duration"},
		{"bad session ttl env", map[string]string{"STORAGEGW_MULTIPART_SESSION_TTL": "a day"}, "STORAGEGW_MULTIPART_SESSION_TTL must be a duration"},
		{"bad part size env", map[string]string{"STORAGEGW_MULTIPART_PART_SIZE_MIB": "16MiB"}, "STORAGEGW_MULTIPART_PART_SIZE_MIB must be"},
		{"bad part size env", map[string]string{"SPACES_PART_SIZE_MIB": "big"}, "SPACES_PART_SIZE_MIB must be a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestLogFormatAuto(t *testing.T) {
	t.Parallel()
	c := &Config{Env: EnvProduction, Log: LogConfig{Format: "auto"}}
	if got := c.LogFormat(); got != "json" {
		t.Errorf("production auto: got %s, want json", got)
	}
	c.Log.Format = "console"
	if got := c.LogFormat(); got != "console" {
		t.Errorf("explicit console: got %s, want console", got)
	}
}

func TestContentRules(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "limits:\n  accounting/receipt: {max_bytes: 1024}\n  workspace/pdf: {allowed: [application/pdf, image/*]}\n")
	c, err := Load(env(map[string]string{"STORAGEGW_CONFIG": file}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	rules, err := c.ContentRules()
	if err != nil {
		t.Fatalf("ContentRules: %v", err)
	}
	def := domain.DefaultContentRules()
	receipt := domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}
	pdf := domain.Kind{System: domain.SystemWorkspace, ObjectType: domain.TypePDF}
	if got := rules[receipt]; got.MaxBytes != 1024 || len(got.Allowed) != len(def[receipt].Allowed) {
		t.Errorf("receipt: got %+v, want max 1024 and the built-in types", got)
	}
	if got := rules[pdf]; got.MaxBytes != def[pdf].MaxBytes || !got.Allows("image/png") {
		t.Errorf("pdf: got %+v, want built-in max and image/* allowed", got)
	}
	if len(rules) != len(def) {
		t.Errorf("got %d rules, want %d", len(rules), len(def))
	}
}

// TestEnvExample keeps .env.example in step with the variables Load reads,
// and checks that its values load as the defaults.
func TestEnvExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			vars[k] = v
		}
	}
	for _, name := range EnvNames() {
		if _, ok := vars[name]; !ok {
			t.Errorf(".env.example lacks %s", name)
		}
	}
	if len(vars) != len(EnvNames()) {
		t.Errorf(".env.example has %d variables, Load reads %d", len(vars), len(EnvNames()))
	}
	got, err := Load(env(vars))
	if err != nil {
		t.Fatalf("Load(.env.example): %v", err)
	}
	want, _ := Load(env(nil))
	if got.Redacted() != want.Redacted() {
		t.Errorf(".env.example values differ from the defaults:\n%s\nwant\n%s", got, want)
	}
}
