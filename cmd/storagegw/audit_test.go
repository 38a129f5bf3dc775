package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"storagegw/domain"
)

// exportLine is one line of `audit export`.
type exportLine struct {
	OrgID    string `json:"org_id"`
	Seq      int64  `json:"seq"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
	Event    struct {
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
	} `json:"event"`
}

func TestAuditCommands(t *testing.T) {
	t.Parallel()
	testAuditCommands(t, nil)
}

func TestAuditCommandsOnPostgres(t *testing.T) {
	t.Parallel()
	testAuditCommands(t, map[string]string{"DATABASE_URL": postgresURL(t)})
}

// testAuditCommands seals an instance's events, pins a checkpoint, exports
// and verifies, then tampers with the database as a superuser would and
// expects verify to fail naming the event.
func testAuditCommands(t *testing.T, extra map[string]string) {
	a := newAPI(t, extra)
	env := envOf(a)
	for k, v := range extra {
		env[k] = v
	}
	for _, name := range []string{"a.png", "b.png", "c.png"} {
		a.UploadDoc("org-1", "d1", name, pngOf(10))
	}
	a.UploadDoc("org-2", "d1", "x.png", pngOf(10))

	seal := func() string {
		t.Helper()
		out, errOut, code := run(t, env, "audit", "seal")
		if code != 0 || !strings.HasPrefix(out, "sealed ") {
			t.Fatalf("audit seal: got %d %q %q", code, out, errOut)
		}
		return out
	}
	// On PostgreSQL an event waits for older transactions (the other
	// tests' too) to end: seal until org-1's three uploads are linked.
	for range 100 {
		if !strings.HasPrefix(seal(), "sealed 0 events") {
			break
		}
	}
	seal()
	ev := a.AuditLog("org-1", "action_type=UPLOAD") // newest first
	if len(ev) != 3 {
		t.Fatalf("uploads: %+v", ev)
	}
	r := a.Get("/api/storage/audit-logs/checkpoint", a.Token("org-1", "auditor"))
	want(t, "checkpoint", r, http.StatusOK, "")
	pinned := filepath.Join(t.TempDir(), "checkpoint.json")
	if err := os.WriteFile(pinned, r.Body, 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run(t, env, "audit", "verify", "--checkpoint", pinned)
	if code != 0 || !strings.Contains(out, ": intact, including the pinned checkpoint org-1/") {
		t.Fatalf("verify intact: got %d %q %q", code, out, errOut)
	}

	out, errOut, code = run(t, env, "audit", "export", "--org", "org-1")
	if code != 0 {
		t.Fatalf("export: got %d %q", code, errOut)
	}
	var lines []exportLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) < 3 || !strings.HasPrefix(errOut, "exported ") {
		t.Fatalf("export: %d lines, stderr %q", len(lines), errOut)
	}
	prev := domain.GenesisHash
	for i, l := range lines {
		if l.OrgID != "org-1" || l.Seq != int64(i+1) || l.PrevHash != prev || len(l.Hash) != 64 {
			t.Errorf("export line %d: %+v, want org-1, seq %d, prev %s", i, l, i+1, prev)
		}
		prev = l.Hash
	}

	// The newest sealed event of org-1, and the one the pin covers.
	last := lines[len(lines)-1].Event.ID
	a.Superuser("UPDATE storage_audit_logs SET user_id = 'someone-else' WHERE id = '" + ev[1].ID + "'")
	out, errOut, code = run(t, env, "audit", "verify", "--org", "org-1")
	if code != 1 || !strings.Contains(out, "TAMPERED WITH") || !strings.Contains(errOut, ev[1].ID) || !strings.Contains(errOut, "was edited") {
		t.Errorf("verify after an edit: got %d %q %q, want 1 naming %s", code, out, errOut, ev[1].ID)
	}
	if _, _, code := run(t, env, "audit", "verify", "--org", "org-2"); code != 0 {
		t.Errorf("verify org-2 after editing org-1: exit %d, want 0", code)
	}
	a.Superuser("UPDATE storage_audit_logs SET user_id = '" + ev[1].UserID + "' WHERE id = '" + ev[1].ID + "'")
	if out, errOut, code := run(t, env, "audit", "verify"); code != 0 {
		t.Fatalf("verify after undoing the edit: got %d %q %q", code, out, errOut)
	}

	// The newest events, their links and the checkpoints that cover them
	// go: only the pinned checkpoint still knows.
	a.Superuser("DELETE FROM storage_audit_logs WHERE id = '"+last+"'",
		"DELETE FROM storage_audit_chain WHERE event_id = '"+last+"'",
		"DELETE FROM storage_audit_checkpoints WHERE org_id = 'org-1' AND seq >= "+itoa(lines[len(lines)-1].Seq))
	if out, errOut, code := run(t, env, "audit", "verify", "--org", "org-1"); code != 0 {
		t.Errorf("verify without a pin cannot see a deleted tail: got %d %q %q", code, out, errOut)
	}
	out, errOut, code = run(t, env, "audit", "verify", "--checkpoint", pinned)
	if code != 1 || !strings.Contains(errOut, "newest events were deleted") {
		t.Errorf("verify with the pin after the tail was deleted: got %d %q %q, want 1", code, out, errOut)
	}

	if _, errOut, code := run(t, env, "audit", "verify", "--checkpoint", filepath.Join(t.TempDir(), "none.json")); code != 2 {
		t.Errorf("verify with a missing checkpoint file: exit %d %q, want 2", code, errOut)
	}
	if _, _, code := run(t, env, "audit", "export", "--since", "yesterday"); code != 2 {
		t.Errorf("export --since yesterday: exit %d, want 2", code)
	}
}
