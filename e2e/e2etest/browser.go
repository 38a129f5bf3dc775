package e2etest

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Root is the repository's root directory, wherever the test runs from.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Missing reports a missing prerequisite of a test (a tool, a browser, a
// service): outside CI the test skips with the reason printed; with
// CI=true it fails, so a CI run never passes without the test.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Logf("WARNING: skipping: "+format, args...)
	t.SkipNow()
}

// NPM installs the npm packages pinned in a folder of the repository
// (scripts/install-npm.sh: cached, keyed by the lock file) and returns its
// node_modules directory, for NODE_PATH. marker is a file under
// node_modules that a complete install has.
func NPM(t testing.TB, folder, marker string) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			Missing(t, "%s needs %s on PATH (CI installs it): %v", folder, tool, err)
		}
	}
	var stderr bytes.Buffer
	cmd := exec.Command("bash", filepath.Join(Root(), "scripts", "install-npm.sh"), folder, marker)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		Missing(t, "scripts/install-npm.sh %s: %v: %s", folder, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// Chromium returns the path of the Chromium the browser tests drive
// (scripts/install-chromium.sh: $CHROMIUM, or Debian's chromium, installed
// with apt-get when missing).
func Chromium(t testing.TB) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("bash", filepath.Join(Root(), "scripts", "install-chromium.sh"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		Missing(t, "no Chromium for the browser tests: scripts/install-chromium.sh: %v: %s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// Artifacts returns a directory kept after the test for what it wants a
// reader to see (screenshots): $STORAGEGW_TEST_ARTIFACTS/<test name>, by
// default test-artifacts/<test name> at the repository's root.
func Artifacts(t testing.TB) string {
	t.Helper()
	base := os.Getenv("STORAGEGW_TEST_ARTIFACTS")
	if base == "" {
		base = filepath.Join(Root(), "test-artifacts")
	}
	dir := filepath.Join(base, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// PageServer serves dir on another loopback origin than the gateway's
// (another port of 127.0.0.1) and returns that origin, for pages that call
// the gateway cross-origin.
func PageServer(t testing.TB, dir string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}
