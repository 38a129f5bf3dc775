package e2e

import (
	"context"
	"net/http"
	"testing"

	"storagegw/adapters/postgres"
)

// refuseAuditInserts makes storage_audit_logs refuse every insert, as a
// full or locked audit table would, until the returned func drops the
// trigger again.
func refuseAuditInserts(t *testing.T, a *api) (restore func()) {
	t.Helper()
	db := a.Svc.DB.SQL()
	ctx := context.Background()
	stmts := []string{`CREATE TRIGGER e2e_refuse_audit BEFORE INSERT ON storage_audit_logs
BEGIN SELECT RAISE(ABORT, 'e2e: the audit trail refuses inserts'); END`}
	drop := []string{`DROP TRIGGER e2e_refuse_audit`}
	if a.Svc.DB.Dialect() == postgres.DialectPostgres {
		stmts = []string{
			`CREATE FUNCTION e2e_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'e2e: the audit trail refuses inserts'; END $$`,
			`CREATE TRIGGER e2e_refuse_audit BEFORE INSERT ON storage_audit_logs
FOR EACH ROW EXECUTE FUNCTION e2e_refuse_audit()`,
		}
		drop = []string{`DROP TRIGGER e2e_refuse_audit ON storage_audit_logs`, `DROP FUNCTION e2e_refuse_audit()`}
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return func() {
		t.Helper()
		for _, s := range drop {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

// count runs a SELECT COUNT(*) query.
func count(t *testing.T, a *api, query string) int {
	t.Helper()
	var n int
	if err := a.Svc.DB.SQL().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestAPIChangesNeedTheirAuditEvent refuses audit inserts in the database:
// an upload, an overwrite and a delete then answer 503 audit_unavailable
// and change nothing, on SQLite and PostgreSQL; with the trail back, the
// same requests succeed, each with its one event.
func TestAPIChangesNeedTheirAuditEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  func(*testing.T) map[string]string
	}{{"sqlite", func(*testing.T) map[string]string { return nil }}, {"postgres", postgresEnv}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, tc.env(t))
			member := a.Token("org-1", "member")
			doc := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}
			overwrite := append(doc[:3:3], [2]string{"overwrite", "true"})
			kept := a.UploadDoc("org-1", "d1", "kept.png", pngOf(10))
			const records = `SELECT COUNT(*) FROM file_records`
			const events = `SELECT COUNT(*) FROM storage_audit_logs`
			recordsBefore, eventsBefore := count(t, a, records), count(t, a, events)

			restore := refuseAuditInserts(t, a)
			upload := func() response { return a.Upload("/api/storage/upload", member, doc, "new.png", pngOf(20)) }
			replace := func() response { return a.Upload("/api/storage/upload", member, overwrite, "kept.png", pngOf(30)) }
			del := func() response {
				return a.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"file_path":"`+kept.FilePath+`"}`)
			}
			want(t, "upload without its event", upload(), http.StatusServiceUnavailable, "audit_unavailable")
			want(t, "overwrite without its event", replace(), http.StatusServiceUnavailable, "audit_unavailable")
			want(t, "delete without its event", del(), http.StatusServiceUnavailable, "audit_unavailable")
			restore()

			if n := count(t, a, records); n != recordsBefore {
				t.Errorf("records: got %d, want %d (the refused upload left one)", n, recordsBefore)
			}
			if n := count(t, a, events); n != eventsBefore {
				t.Errorf("events: got %d, want %d", n, eventsBefore)
			}
			var now record
			r := a.Get("/api/storage/metadata/"+kept.FilePath, member)
			want(t, "metadata of the kept file", r, http.StatusOK, "")
			r.JSON(t, &now)
			if now.SHA256 != kept.SHA256 || now.Deleted || now.UpdatedAt != kept.UpdatedAt {
				t.Errorf("kept file: got %+v, want it unchanged %+v", now, kept)
			}
			want(t, "the refused upload's path", a.Get("/api/storage/metadata/org-1/workspace/doc/d1/new.png", member),
				http.StatusNotFound, "")

			want(t, "upload", upload(), http.StatusCreated, "")
			want(t, "overwrite", replace(), http.StatusCreated, "")
			want(t, "delete", del(), http.StatusOK, "")
			// Two metadata reads above, then the three changes.
			if n := count(t, a, events); n != eventsBefore+5 {
				t.Errorf("events after the trail came back: got %d, want %d", n, eventsBefore+5)
			}
			committed := count(t, a, `SELECT COUNT(*) FROM file_records r WHERE NOT EXISTS (
				SELECT 1 FROM storage_audit_logs e WHERE e.file_path = r.file_path AND e.success
				AND e.action_type IN ('UPLOAD', 'EDIT'))`)
			if committed != 0 {
				t.Errorf("records without a successful UPLOAD or EDIT event: got %d, want 0", committed)
			}
		})
	}
}
