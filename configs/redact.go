package configs

import (
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

const redacted = "***"

// Secret is a configuration value that must never be printed: fmt, YAML and
// JSON all render it as "***" (or "" when unset). Use Value, or convert it
// with string(s), to get the secret itself.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String renders the secret masked.
func (s Secret) String() string { return s.mask() }

// GoString renders the secret masked for %#v.
func (s Secret) GoString() string { return `"` + s.mask() + `"` }

// MarshalText renders the secret masked (JSON, text encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }

// MarshalYAML renders the secret masked.
func (s Secret) MarshalYAML() (any, error) { return s.mask(), nil }

// DSN is a database URL whose password must never be printed: fmt, YAML and
// JSON render it with the password masked. Convert it with string(d) to
// connect.
type DSN string

// passwordKV matches password=... in a key=value connection string.
var passwordKV = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// Redacted returns the DSN with any password replaced by "***".
func (d DSN) Redacted() string {
	s := string(d)
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redacted)
		}
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, redacted)
			}
		}
		u.RawQuery = q.Encode()
		return strings.ReplaceAll(u.String(), url.QueryEscape(redacted), redacted)
	}
	return passwordKV.ReplaceAllString(s, "${1}"+redacted)
}

// String renders the DSN with the password masked.
func (d DSN) String() string { return d.Redacted() }

// GoString renders the DSN with the password masked for %#v.
func (d DSN) GoString() string { return `"` + d.Redacted() + `"` }

// MarshalText renders the DSN with the password masked.
func (d DSN) MarshalText() ([]byte, error) { return []byte(d.Redacted()), nil }

// MarshalYAML renders the DSN with the password masked.
func (d DSN) MarshalYAML() (any, error) { return d.Redacted(), nil }

// Redacted renders the whole configuration as YAML with every secret masked,
// for logs and `storagegw config`-style output.
func (c *Config) Redacted() string {
	b, err := yaml.Marshal(c)
	if err != nil {
		return "configs: cannot render configuration"
	}
	return string(b)
}

// String is Redacted, so printing a Config never shows a secret.
func (c *Config) String() string { return c.Redacted() }
