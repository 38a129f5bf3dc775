package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// tsClient installs clients/typescript's pinned packages and copies the
// client (src, test, tsconfig.json) into a temp dir next to a node_modules
// link to them, so tsc and node resolve openapi-fetch from there. It
// returns the temp dir and the node_modules directory.
func tsClient(t *testing.T) (dir, modules string) {
	t.Helper()
	modules = e2etest.NPM(t, "clients/typescript", "openapi-fetch/package.json")
	dir = t.TempDir()
	src := filepath.Join(e2etest.Root(), "clients", "typescript")
	if err := os.CopyFS(filepath.Join(dir, "src"), os.DirFS(filepath.Join(src, "src"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "test"), os.DirFS(filepath.Join(src, "test"))); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(src, "tsconfig.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tsconfig.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dir, modules
}

// runNode runs node with args in dir and returns its output; it fails the
// test when node does.
func runNode(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("node %s: %s", filepath.Base(args[0]), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("node %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// TestTypeScriptClient: the committed schema.d.ts is what openapi-typescript
// (default options) generates from openapi.json today; the client and its
// helpers compile with tsc --strict; and a Node program using them (list,
// metadata of a path with slashes, signed URL, delete, a multipart upload
// interrupted then resumed) passes against a live instance.
func TestTypeScriptClient(t *testing.T) {
	t.Parallel()
	dir, modules := tsClient(t)

	// 1. The generated types are up to date.
	fresh := filepath.Join(t.TempDir(), "schema.d.ts")
	runNode(t, e2etest.Root(), filepath.Join(modules, "openapi-typescript", "bin", "cli.js"),
		filepath.Join("adapters", "http", "openapi.json"), "--output", fresh)
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(e2etest.Root(), "clients", "typescript", "src", "schema.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("clients/typescript/src/schema.d.ts is stale: run `make generate` (scripts/generate-ts-client.sh) and commit")
	}

	// 2. tsc --strict (tsconfig.json) compiles the client, helpers and program.
	runNode(t, dir, filepath.Join(modules, "typescript", "bin", "tsc"), "-p", "tsconfig.json")

	// 3. Against a live instance.
	a := e2etest.New(t, map[string]string{"STORAGEGW_MULTIPART_PART_SIZE_MIB": "5"})
	rec := a.UploadDoc("org-1", "d1", "report.png", e2etest.PNG(5000))
	if strings.Count(rec.FilePath, "/") != 4 {
		t.Fatalf("file path %q has not five segments", rec.FilePath)
	}
	out := runNode(t, dir, filepath.Join("dist", "test", "live.js"), a.URL, a.Token("org-1", "member"), a.Token("org-1", "admin"), rec.FilePath)
	t.Logf("live.js:\n%s", out)
	if !strings.HasSuffix(strings.TrimSpace(out), "ALL OK") || strings.Count(out, "ok: ") < 18 {
		t.Fatalf("live.js did not pass every check:\n%s", out)
	}

	// The service saw it too: the file is deleted, and the multipart file
	// was stored then hard-deleted.
	e2etest.Want(t, "metadata after the client's delete", a.Get("/api/storage/metadata/"+rec.FilePath, a.Token("org-1", "member")), 404, "not_found")
	var big string
	for _, line := range strings.Split(out, "\n") {
		if p, ok := strings.CutPrefix(line, "multipart: "); ok {
			big = p
		}
	}
	if !strings.HasSuffix(big, "/ts-client/big.png") {
		t.Fatalf("no multipart file path in the output")
	}
	var uploads, deletes, signed int
	for _, ev := range a.AuditLog("org-1", "") {
		switch {
		case ev.FilePath == big && ev.ActionType == "UPLOAD" && ev.Success:
			uploads++
		case ev.ActionType == "DELETE" && ev.Success && (ev.FilePath == big || ev.FilePath == rec.FilePath):
			deletes++
		case ev.ActionType == "SIGNED_URL_GENERATED" && ev.FilePath == rec.FilePath && ev.Success:
			signed++
		}
	}
	if uploads != 1 || deletes != 2 || signed != 1 {
		t.Errorf("audit: %d uploads of %s, %d deletes, %d signed URLs; want 1, 2, 1", uploads, big, deletes, signed)
	}
}
