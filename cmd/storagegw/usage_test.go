package main

import (
	"strings"
	"testing"
)

func TestUsageRecountCommand(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	env := envOf(a)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(100))

	out, errOut, code := run(t, env, "usage", "recount")
	if code != 0 || out != "usage recount: 0 differences\n" {
		t.Fatalf("consistent: got %d %q %q", code, out, errOut)
	}
	if _, err := a.Svc.DB.SQL().ExecContext(t.Context(),
		"UPDATE storage_usage SET bytes = bytes + 5, files = files + 1 WHERE org_id = 'org-1'"); err != nil {
		t.Fatal(err)
	}
	want := "drift  org-1/workspace/doc  kept " + itoa(rec.SizeBytes+5) + " bytes, 2 files; counted " + itoa(rec.SizeBytes) + " bytes, 1 files\n"
	out, errOut, code = run(t, env, "usage", "recount", "--org", "org-1")
	if code != 1 || !strings.HasPrefix(out, want) || !strings.Contains(errOut, "differs from the records") {
		t.Fatalf("drifted: got %d %q %q, want 1 and %q", code, out, errOut, want)
	}
	out, _, code = run(t, env, "usage", "recount", "--fix")
	if code != 0 || !strings.Contains(out, "1 differences (fixed)") {
		t.Fatalf("--fix: got %d %q", code, out)
	}
	out, _, code = run(t, env, "usage", "recount")
	if code != 0 || out != "usage recount: 0 differences\n" {
		t.Fatalf("after --fix: got %d %q", code, out)
	}
}
