package configs

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestRedactionNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	const (
		jwtSecret = "jwt-secret-value-0123456789abcdef"
		access    = "ACCESSKEYVALUE42"
		secretKey = "SECRETKEYVALUE42"
		dbPass    = "dbpassw0rd"
	)
	c, err := Load(env(map[string]string{
		"JWT_HS256_SECRET":  jwtSecret,
		"SPACES_ENDPOINT":   "nyc3.digitaloceanspaces.com",
		"SPACES_BUCKET":     "files",
		"SPACES_ACCESS_KEY": access,
		"SPACES_SECRET_KEY": secretKey,
		"DATABASE_URL":      "postgres://gw:" + dbPass + "@db:5432/storagegw?sslmode=require&sslpassword=" + dbPass,
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	renders := map[string]string{
		"Redacted": c.Redacted(),
		"String":   c.String(),
		"%v":       fmt.Sprintf("%v", c),
		"%+v":      fmt.Sprintf("%+v", *c),
		"%#v":      fmt.Sprintf("%#v", *c),
		"%s jwt":   fmt.Sprintf("%s", c.JWT),
		"json":     string(js),
	}
	for name, out := range renders {
		for _, secret := range []string{jwtSecret, access, secretKey, dbPass} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows a secret: %s", name, out)
			}
		}
		if !strings.Contains(out, "***") {
			t.Errorf("%s: got %s, want secrets shown as ***", name, out)
		}
	}
	if !strings.Contains(c.Redacted(), "db:5432/storagegw") {
		t.Errorf("Redacted: got %s, want the database host kept", c.Redacted())
	}
	if c.JWT.HS256Secret.Value() != jwtSecret || string(c.Spaces.SecretKey) != secretKey {
		t.Errorf("the secrets themselves must still be reachable")
	}
}

func TestDSNRedacted(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"postgres://gw@db/x", "postgres://gw@db/x"},
		{"postgres://gw:pw@db/x", "postgres://gw:***@db/x"},
		{"postgres://db/x?password=pw", "postgres://db/x?password=***"},
		{"host=db password=pw user=gw", "host=db password=*** user=gw"},
		{"host=db password='p w' user=gw", "host=db password=*** user=gw"},
	}
	for _, tt := range tests {
		if got := DSN(tt.in).Redacted(); got != tt.want {
			t.Errorf("DSN(%q).Redacted(): got %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Secret("").String(); got != "" {
		t.Errorf("empty secret: got %q, want empty", got)
	}
}
