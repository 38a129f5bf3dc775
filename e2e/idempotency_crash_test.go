package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// injectAnswerLoss makes the database refuse to store any Idempotency-Key
// answer, as if the service died between a request's change and the
// storing of its answer; the returned func undoes it (the service came
// back).
func injectAnswerLoss(t *testing.T, a *api, postgres bool) func() {
	t.Helper()
	db := a.Svc.DB.SQL()
	ctx := context.Background()
	create := []string{`CREATE TRIGGER inject_answer_loss BEFORE UPDATE ON idempotency_keys
		WHEN NEW.state = 'completed' BEGIN SELECT RAISE(ABORT, 'injected: the answer is lost'); END`}
	drop := []string{`DROP TRIGGER inject_answer_loss`}
	if postgres {
		create = []string{`CREATE FUNCTION inject_answer_loss() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'injected: the answer is lost'; END $$`,
			`CREATE TRIGGER inject_answer_loss BEFORE UPDATE ON idempotency_keys
			FOR EACH ROW WHEN (NEW.state = 'completed') EXECUTE FUNCTION inject_answer_loss()`}
		drop = []string{`DROP TRIGGER inject_answer_loss ON idempotency_keys`, `DROP FUNCTION inject_answer_loss()`}
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

// TestIdempotencyAnswerLostChangesNothingTwice: the first request with a
// key commits its change (an overwrite) and its answer is then lost (the
// service "dies" before storing it: the database refuses the write). Its
// key was marked applied in the change's own transaction, so a retry
// after the lease does not run the overwrite a second time: 409
// idempotency_key_in_progress while the lease runs, then 409
// idempotency_key_answer_lost; one EDIT event, the file as the first
// request left it. (Before, the retry reclaimed the key and stored a
// second version.) On SQLite and on PostgreSQL.
func TestIdempotencyAnswerLostChangesNothingTwice(t *testing.T) {
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
			env := tc.env(t)
			env["STORAGEGW_IDEMPOTENCY_LEASE"] = "3s"
			a := newAPI(t, env)
			member := a.Token("org-1", "member")
			path := "org-1/workspace/doc/crash-1/a.png"
			fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "crash-1"}, {"overwrite", "true"}}
			first := pngOf(2000)
			want(t, "the file's first version", a.uploadWithKey("/api/storage/upload", member, "seed", fields, "a.png", pngOf(1000)), http.StatusCreated, "")

			undo := injectAnswerLoss(t, a, tc.postgres)
			r := a.uploadWithKey("/api/storage/upload", member, "crash-key", fields, "a.png", first)
			undo()
			want(t, "the overwrite whose answer is lost", r, http.StatusCreated, "")
			var rec record
			r.JSON(t, &rec)

			again := a.uploadWithKey("/api/storage/upload", member, "crash-key", fields, "a.png", first)
			want(t, "a retry within the lease", again, http.StatusConflict, "idempotency_key_in_progress")
			time.Sleep(3500 * time.Millisecond)
			again = a.uploadWithKey("/api/storage/upload", member, "crash-key", fields, "a.png", first)
			want(t, "a retry once the lease ran out", again, http.StatusConflict, "idempotency_key_answer_lost")

			var now record
			a.Get("/api/storage/metadata/"+path, member).JSON(t, &now)
			if now.SHA256 != rec.SHA256 || now.UpdatedAt != rec.UpdatedAt {
				t.Errorf("file after the retries: got %+v, want it as the first request left it (%+v)", now, rec)
			}
			edits := 0
			for _, e := range a.AuditLog("org-1", "file_path="+path+"&action_type=EDIT") {
				if e.Success {
					edits++
				}
			}
			if edits != 1 {
				t.Errorf("EDIT events: got %d, want 1 (the overwrite ran once)", edits)
			}
		})
	}
}
