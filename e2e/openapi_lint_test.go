package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// openAPILinters installs clients/openapi-lint (Redocly CLI, Spectral,
// Prism) and returns its node_modules.
func openAPILinters(t *testing.T) string {
	t.Helper()
	return e2etest.NPM(t, "clients/openapi-lint", "@stoplight/prism-cli/package.json")
}

// runTool runs a Node tool of modules/.bin from the repository's root and
// returns its combined output; it fails the test when the tool fails.
func runTool(t *testing.T, modules, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(modules, ".bin", tool), args...)
	cmd.Dir = e2etest.Root()
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s: %s", tool, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Errorf("%s %v: %v\n%s", tool, args, err, out.String())
	}
	return out.String()
}

// TestOpenAPILint lints the OpenAPI document with Redocly CLI (its
// recommended rules) and Spectral (spectral:oas): 0 errors each. The
// configurations are clients/openapi-lint/redocly.yaml and .spectral.yaml.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	modules := openAPILinters(t)
	doc := filepath.Join("adapters", "http", "openapi.json")
	out := runTool(t, modules, "redocly", "lint", "--config", "clients/openapi-lint/redocly.yaml", "--format", "summary", doc)
	t.Logf("redocly:\n%s", out)
	out = runTool(t, modules, "spectral", "lint", "--ruleset", "clients/openapi-lint/.spectral.yaml",
		"--fail-severity", "error", "--format", "text", doc)
	t.Logf("spectral:\n%s", out)
}
