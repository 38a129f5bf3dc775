package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// injectCrashAfterCommit makes the database refuse every write of an
// Idempotency-Key once the first request's change committed (the row is
// no longer in progress), as if the service died right after that
// commit: whatever the request would store after it (Finish, a renewal)
// is lost. The returned func undoes it (the service came back). Before
// answers were stored with the change, this lost the answer: the change
// had only marked the key applied, and retries got 409
// idempotency_key_answer_lost.
func injectCrashAfterCommit(t *testing.T, a *api, postgres bool) func() {
	t.Helper()
	db := a.Svc.DB.SQL()
	ctx := context.Background()
	create := []string{`CREATE TRIGGER inject_crash BEFORE UPDATE ON idempotency_keys
		WHEN OLD.state <> 'in_progress' BEGIN SELECT RAISE(ABORT, 'injected: the service stopped after the commit'); END`}
	drop := []string{`DROP TRIGGER inject_crash`}
	if postgres {
		create = []string{`CREATE FUNCTION inject_crash() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'injected: the service stopped after the commit'; END $$`,
			`CREATE TRIGGER inject_crash BEFORE UPDATE ON idempotency_keys
			FOR EACH ROW WHEN (OLD.state <> 'in_progress') EXECUTE FUNCTION inject_crash()`}
		drop = []string{`DROP TRIGGER inject_crash ON idempotency_keys`, `DROP FUNCTION inject_crash()`}
	}
	for _, q := range create {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, q := range drop {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestIdempotencyCrashAfterCommitReplaysTheFirstAnswer: the first request
// with a key commits its change, and the service "dies" right after the
// commit (nothing more of the key can be written). The answer was stored
// with the change, in its transaction, so a retry gets it: the status and
// body the first request got, Idempotent-Replayed: true, one more audit
// event (a replay), and nothing changed a second time. For an upload, an
// overwrite, a soft and a hard delete, a restore, a multipart complete
// and a TUS creation; on SQLite and on PostgreSQL.
func TestIdempotencyCrashAfterCommitReplaysTheFirstAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		env      func(t *testing.T) map[string]string
		postgres bool
	}{
		{"SQLite", func(*testing.T) map[string]string { return map[string]string{} }, false},
		{"PostgreSQL", postgresEnv, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, tc.env(t))
			member, admin := a.Token("org-1", "member"), a.Token("org-1", "admin")
			fields := func(id string) [][2]string {
				return [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", id}, {"overwrite", "true"}}
			}
			pathOf := func(id string) string { return "org-1/workspace/doc/" + id + "/a.png" }
			want(t, "the overwritten file's first version",
				a.uploadWithKey("/api/storage/upload", member, "seed", fields("over"), "a.png", pngOf(1000)), http.StatusCreated, "")
			for _, id := range []string{"soft", "hard", "rest"} {
				want(t, "a file for "+id, a.uploadWithKey("/api/storage/upload", member, "seed-"+id, fields(id), "a.png", pngOf(500)), http.StatusCreated, "")
			}
			want(t, "a deleted file to restore", a.SendJSON(http.MethodDelete, "/api/storage/delete", admin,
				fmt.Sprintf(`{"file_path":%q}`, pathOf("rest"))), http.StatusOK, "")
			s := a.initiate(member, `"system":"workspace","object_type":"doc","object_id":"mp","filename":"big.bin"`, 6<<20)
			data := bytes.Repeat([]byte("0123456789abcdef"), (6<<20)/16)
			parts := a.putParts(a.partURLs(member, s), s.PartSize, data)
			complete, _ := json.Marshal(map[string]any{"upload_id": s.UploadID, "parts": parts})

			for _, c := range []struct {
				name, action, path string
				send               func() response
			}{
				{"upload", "UPLOAD", pathOf("new"), func() response {
					return a.uploadWithKey("/api/storage/upload", member, "k-new", fields("new"), "a.png", pngOf(2000))
				}},
				{"overwrite", "EDIT", pathOf("over"), func() response {
					return a.uploadWithKey("/api/storage/upload", member, "k-over", fields("over"), "a.png", pngOf(3000))
				}},
				{"soft delete", "DELETE", pathOf("soft"), func() response {
					return a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "k-soft", fmt.Sprintf(`{"file_path":%q}`, pathOf("soft")))
				}},
				{"hard delete", "DELETE", pathOf("hard"), func() response {
					return a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "k-hard", fmt.Sprintf(`{"file_path":%q,"hard":true}`, pathOf("hard")))
				}},
				{"restore", "RESTORE", pathOf("rest"), func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/restore", admin, "k-rest", fmt.Sprintf(`{"file_path":%q}`, pathOf("rest")))
				}},
				{"multipart complete", "UPLOAD", "org-1/workspace/doc/mp/big.bin", func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/multipart/complete", member, "k-mp", string(complete))
				}},
			} {
				undo := injectCrashAfterCommit(t, a, tc.postgres)
				first := c.send()
				undo()
				if first.Status/100 != 2 {
					t.Fatalf("%s: the first request got %d %s", c.name, first.Status, first.Body)
				}
				replays := func() (n int) {
					for _, e := range a.AuditLog("org-1", "file_path="+c.path) {
						if isReplayEvent(e) {
							n++
						}
					}
					return n
				}
				before := replays()
				requireReplay(t, c.name+" after the crash", first, c.send())
				if got := replays(); got != before+1 {
					t.Fatalf("%s: replay events %d then %d, want one more", c.name, before, got)
				}
				changes := 0
				for _, e := range a.AuditLog("org-1", "file_path="+c.path+"&action_type="+c.action) {
					if e.Success && !isReplayEvent(e) {
						changes++
					}
				}
				if changes != 1 {
					t.Fatalf("%s: %d %s changes, want 1 (the change ran once)", c.name, changes, c.action)
				}
			}

			// A TUS creation: the retry gets the same upload (Location and
			// state), replayed; no second upload was created.
			create := func() response {
				return a.Do(http.MethodPost, "/api/storage/tus/", member, nil, tusHeader("Upload-Length", "2048",
					"Upload-Metadata", tusMeta("system", "workspace", "object_type", "doc", "object_id", "tus", "filename", "t.pdf"),
					"Idempotency-Key", "k-tus"))
			}
			undo := injectCrashAfterCommit(t, a, tc.postgres)
			first := create()
			undo()
			want(t, "the TUS creation", first, http.StatusCreated, "")
			again := create()
			requireReplay(t, "TUS creation after the crash", first, again)
			for _, h := range []string{"Location", "Upload-Offset", "Upload-Expires"} {
				if again.Header.Get(h) != first.Header.Get(h) || first.Header.Get(h) == "" {
					t.Fatalf("TUS creation replay: %s %q, want %q", h, again.Header.Get(h), first.Header.Get(h))
				}
			}
			if n := len(a.AuditLog("org-1", "action_type=MULTIPART_INITIATE")); n != 3 {
				t.Fatalf("MULTIPART_INITIATE events: got %d, want 3 (the multipart initiate, the TUS creation, its replay)", n)
			}
		})
	}
}
