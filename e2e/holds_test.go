package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/application"
)

// holdAnswer is a legal hold as the hold routes and a record's legal_hold
// answer it.
type holdAnswer struct {
	Scope  string `json:"scope"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	SetBy  string `json:"set_by"`
	SetAt  string `json:"set_at"`
}

type heldRecord struct {
	FilePath  string      `json:"file_path"`
	Deleted   bool        `json:"deleted"`
	LegalHold *holdAnswer `json:"legal_hold"`
}

func fileJSON(path string, extra ...string) string {
	return `{"file_path":"` + path + `"` + strings.Join(extra, "") + `}`
}

// purgeAll runs the retention purge as if every soft-deleted file were
// past its retention.
func purgeAll(t *testing.T, a *api) application.PurgeReport {
	t.Helper()
	time.Sleep(2 * time.Millisecond)
	rep, err := a.Svc.App.Purge.Run(t.Context(), application.PurgeCommand{OlderThan: time.Millisecond})
	if err != nil {
		t.Fatalf("purge: %v (report %+v)", err, rep)
	}
	return rep
}

// TestLegalHolds walks the legal hold's rules through the real wire
// graph, on SQLite with local disk and on PostgreSQL with the S3 server
// (there through two gateways on one database: holds are set on one and
// enforced on the other): set on a file and on an object, who may, the
// record shows it, a hard delete refused and audited, a soft delete
// allowed, the purge past retention keeps the held file and its blob,
// clear, and then the purge removes it.
func TestLegalHolds(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			// One token secret, so that a token works on both gateways.
			env = with(env, "JWT_HS256_SECRET", "legal-hold-e2e-secret-0123456789abcdef")
			a := newAPI(t, env)
			b := a // the gateway that enforces what a set
			if st.name != "sqlite-local" {
				b = newAPI(t, env)
			}
			admin, auditor, member := a.Token("org-1", "admin"), a.Token("org-1", "auditor"), a.Token("org-1", "member")
			own := a.UploadDoc("org-1", "case-1", "own.png", pngOf(100))
			sibling := a.UploadDoc("org-1", "case-1", "sibling.png", pngOf(200))
			free := a.UploadDoc("org-1", "free-1", "free.png", pngOf(300))

			// Set: on one file, on an object; who may; what is refused.
			r := a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin, `{"file_path":"`+own.FilePath+`","reason":"case 12"}`)
			want(t, "hold a file", r, http.StatusCreated, "")
			var h holdAnswer
			r.JSON(t, &h)
			if h.Scope != "workspace/doc/case-1/own.png" || h.Kind != "file" || h.Reason != "case 12" || h.SetBy != "admin-org-1" || h.SetAt == "" {
				t.Errorf("file hold: got %+v", h)
			}
			want(t, "hold an object", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin,
				`{"prefix":"workspace/doc/case-1/","reason":"litigation 2026-12"}`), http.StatusCreated, "")
			want(t, "the same object again", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin,
				`{"prefix":"workspace/doc/case-1/","reason":"again"}`), http.StatusConflict, "legal_hold_exists")
			want(t, "a member sets", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", member,
				`{"prefix":"workspace/doc/free-1/","reason":"x"}`), http.StatusForbidden, "forbidden")
			want(t, "an auditor sets", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", auditor,
				`{"prefix":"workspace/doc/free-1/","reason":"x"}`), http.StatusForbidden, "forbidden")
			want(t, "another org's file", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", a.Token("org-2", "admin"),
				`{"file_path":"`+free.FilePath+`","reason":"x"}`), http.StatusNotFound, "not_found")
			want(t, "no reason", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin,
				`{"prefix":"workspace/doc/free-1/","reason":"  "}`), http.StatusBadRequest, "invalid_text")
			want(t, "not one object", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin,
				`{"prefix":"workspace/doc/","reason":"x"}`), http.StatusBadRequest, "invalid_prefix")

			// List: admins and auditors of the org; nobody else's.
			var list struct{ Items []holdAnswer }
			r = b.Get("/api/storage/legal-holds", b.Token("org-1", "auditor"))
			want(t, "list as an auditor", r, http.StatusOK, "")
			r.JSON(t, &list)
			if len(list.Items) != 2 || list.Items[0].Scope != "workspace/doc/case-1/" || list.Items[0].Kind != "object" ||
				list.Items[1].Scope != "workspace/doc/case-1/own.png" {
				t.Errorf("holds: got %+v, want the object's then the file's", list.Items)
			}
			want(t, "list as a member", b.Get("/api/storage/legal-holds", member), http.StatusForbidden, "forbidden")
			r = b.Get("/api/storage/legal-holds", b.Token("org-2", "admin"))
			if r.JSON(t, &list); r.Status != http.StatusOK || len(list.Items) != 0 {
				t.Errorf("another org's list: got %d %s, want none", r.Status, r.Body)
			}
			want(t, "another org clears", b.SendJSON(http.MethodPost, "/api/storage/legal-holds/clear", b.Token("org-2", "admin"),
				`{"prefix":"workspace/doc/case-1/"}`), http.StatusNotFound, "legal_hold_not_found")

			// The record shows the hold: the file's own first; a file
			// uploaded later under the object is covered too.
			var rec heldRecord
			b.Get("/api/storage/metadata/"+own.FilePath, member).JSON(t, &rec)
			if rec.LegalHold == nil || rec.LegalHold.Scope != "workspace/doc/case-1/own.png" {
				t.Errorf("metadata of the held file: got %+v", rec)
			}
			later := b.UploadDoc("org-1", "case-1", "later.png", pngOf(400))
			rec = heldRecord{}
			b.Get("/api/storage/metadata/"+later.FilePath, member).JSON(t, &rec)
			if rec.LegalHold == nil || rec.LegalHold.Scope != "workspace/doc/case-1/" || rec.LegalHold.Reason != "litigation 2026-12" {
				t.Errorf("metadata of a file uploaded later under the held object: got %+v", rec)
			}
			var page struct{ Items []heldRecord }
			b.Get("/api/storage/files?prefix=workspace/doc/", member).JSON(t, &page)
			held := 0
			for _, it := range page.Items {
				if it.LegalHold != nil {
					held++
				}
			}
			if len(page.Items) != 4 || held != 3 {
				t.Errorf("list: got %d files, %d shown held; want 4, 3: %+v", len(page.Items), held, page.Items)
			}

			// A hard delete on the other gateway: refused, audited.
			hard := `,"hard":true`
			r = b.SendJSON(http.MethodDelete, "/api/storage/delete", b.Token("org-1", "admin"), fileJSON(sibling.FilePath, hard))
			want(t, "hard delete of a held file", r, http.StatusConflict, "legal_hold")
			if msg := string(r.Body); !strings.Contains(msg, "workspace/doc/case-1/") || !strings.Contains(msg, "an admin must clear") {
				t.Errorf("refusal %s does not name the hold and what to do", msg)
			}
			events := a.AuditLog("org-1", "action_type=DELETE&file_path="+sibling.FilePath)
			if len(events) != 1 || events[0].Success || events[0].Metadata["legal_hold"] != "workspace/doc/case-1/" ||
				events[0].Metadata["hard"] != true || events[0].ErrorMessage == nil || !strings.HasPrefix(*events[0].ErrorMessage, "legal_hold:") {
				t.Errorf("DELETE events of the refused hard delete: %+v", events)
			}

			// A soft delete is allowed, its answer shows the hold, and the
			// purge past retention keeps the held files and their blobs.
			for _, f := range []record{own, sibling, free} {
				r = b.SendJSON(http.MethodDelete, "/api/storage/delete", member, fileJSON(f.FilePath))
				want(t, "soft delete "+f.Filename, r, http.StatusOK, "")
				rec = heldRecord{}
				r.JSON(t, &rec)
				if !rec.Deleted || (rec.LegalHold != nil) != (f.FilePath != free.FilePath) {
					t.Errorf("soft delete of %s: got %+v", f.Filename, rec)
				}
			}
			before := blobs(t, a)
			rep := purgeAll(t, b)
			if rep.Purged != 1 || rep.Held != 2 || rep.Failures != 0 {
				t.Errorf("purge: got %+v, want the free file purged and the two held kept", rep)
			}
			if got := blobs(t, a); got != before-1 {
				t.Errorf("blobs after the purge: got %d, want %d (only the free file's removed)", got, before-1)
			}
			if evs := a.AuditLog("org-1", "action_type=PURGE"); len(evs) != 1 || evs[0].FilePath != free.FilePath {
				t.Errorf("PURGE events: %+v, want the free file's only", evs)
			}
			want(t, "hard delete of a soft-deleted held file", b.SendJSON(http.MethodDelete, "/api/storage/delete",
				b.Token("org-1", "admin"), fileJSON(own.FilePath, hard)), http.StatusConflict, "legal_hold")
			want(t, "a held file stays restorable", a.SendJSON(http.MethodPost, "/api/storage/restore", admin, fileJSON(sibling.FilePath)), http.StatusOK, "")
			want(t, "and deletable softly", a.SendJSON(http.MethodDelete, "/api/storage/delete", member, fileJSON(sibling.FilePath)), http.StatusOK, "")

			// Clear the object's hold: its files without a hold of their
			// own are purged; the file's own hold still keeps it.
			r = a.SendJSON(http.MethodPost, "/api/storage/legal-holds/clear", admin, `{"prefix":"workspace/doc/case-1/"}`)
			want(t, "clear the object's hold", r, http.StatusOK, "")
			if r.JSON(t, &h); h.Scope != "workspace/doc/case-1/" || h.Reason != "litigation 2026-12" {
				t.Errorf("cleared: got %+v", h)
			}
			want(t, "clear it again", a.SendJSON(http.MethodPost, "/api/storage/legal-holds/clear", admin,
				`{"prefix":"workspace/doc/case-1/"}`), http.StatusNotFound, "legal_hold_not_found")
			want(t, "a member clears", a.SendJSON(http.MethodPost, "/api/storage/legal-holds/clear", member,
				fileJSON(own.FilePath)), http.StatusForbidden, "forbidden")
			if rep := purgeAll(t, b); rep.Purged != 1 || rep.Held != 1 {
				t.Errorf("purge after clearing the object's hold: got %+v, want the sibling purged, the own-held file kept", rep)
			}
			// With an Idempotency-Key, a retry gets the first answer back,
			// stored with the change.
			clearOwn := func() response {
				return a.Do(http.MethodPost, "/api/storage/legal-holds/clear", admin, strings.NewReader(fileJSON(own.FilePath)),
					http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"clear-own-hold"}})
			}
			first := clearOwn()
			want(t, "clear the file's hold", first, http.StatusOK, "")
			if again := clearOwn(); again.Status != http.StatusOK || again.Header.Get("Idempotent-Replayed") != "true" ||
				string(again.Body) != string(first.Body) {
				t.Errorf("retried clear: got %d %s (replayed %q), want the first answer %s", again.Status, again.Body,
					again.Header.Get("Idempotent-Replayed"), first.Body)
			}
			if rep := purgeAll(t, b); rep.Purged != 1 || rep.Held != 0 {
				t.Errorf("purge after clearing every hold: got %+v, want the last held file purged", rep)
			}
			if got := blobs(t, a); got != before-3 {
				t.Errorf("blobs at the end: got %d, want %d (later.png's alone)", got, before-3)
			}

			// The trail: each set and clear, refusals included.
			set, cleared := a.AuditLog("org-1", "action_type=LEGAL_HOLD_SET"), a.AuditLog("org-1", "action_type=LEGAL_HOLD_CLEARED")
			if n, ok := countOK(set); n != 7 || ok != 2 {
				t.Errorf("LEGAL_HOLD_SET events: %d, %d succeeded; want 7, 2", n, ok)
			}
			if n, ok := countOK(cleared); n != 5 || ok != 3 { // the replay writes its own event
				t.Errorf("LEGAL_HOLD_CLEARED events: %d, %d succeeded; want 5, 3: %+v", n, ok, cleared)
			}
			for _, e := range set {
				if e.Success && e.Metadata["scope_kind"] == "object" &&
					(e.Metadata["reason"] != "litigation 2026-12" || e.RelatedObjectID != "case-1" || e.UserID != "admin-org-1") {
					t.Errorf("LEGAL_HOLD_SET event of the object: %+v", e)
				}
			}
			if q := a.AuditLog("org-1", "action_type=LEGAL_HOLD_QUERY"); len(q) != 2 {
				t.Errorf("LEGAL_HOLD_QUERY events: got %d, want 2 (the auditor's list and the member's refusal)", len(q))
			}
		})
	}
}

// countOK counts events and the successful ones.
func countOK(events []auditItem) (n, ok int) {
	for _, e := range events {
		if e.Success {
			ok++
		}
	}
	return len(events), ok
}

// TestLegalHoldRacesHardDeletes: on two gateways over one PostgreSQL, hard
// deletes of an object's files on one race a hold on the object set on
// the other. Every delete sent after the hold was answered is refused; a
// file is gone exactly when its delete succeeded, and the store keeps the
// blob of every refused one.
func TestLegalHoldRacesHardDeletes(t *testing.T) {
	t.Parallel()
	env, blobs := quotaStores[1].env(t) // postgres-s3
	env = with(env, "JWT_HS256_SECRET", "legal-hold-e2e-secret-0123456789abcdef")
	a, b := newAPI(t, env), newAPI(t, env)
	const n = 24
	files := make([]record, n)
	for i := range files {
		files[i] = a.UploadDoc("org-1", "race-1", fmt.Sprintf("f%02d.png", i), pngOf(100+i))
	}
	before := blobs(t, a)
	type outcome struct {
		status int
		sent   time.Time
	}
	outcomes := make([]outcome, n)
	var setAt time.Time
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < n; i += 2 {
				sent := time.Now()
				r := b.SendJSON(http.MethodDelete, "/api/storage/delete", b.Token("org-1", "admin"), fileJSON(files[i].FilePath, `,"hard":true`))
				if r.Status != http.StatusOK && r.Code() != "legal_hold" {
					t.Errorf("hard delete %d: got %d %s", i, r.Status, r.Body)
				}
				outcomes[i] = outcome{r.Status, sent}
			}
		})
	}
	wg.Go(func() {
		time.Sleep(30 * time.Millisecond)
		r := a.SendJSON(http.MethodPost, "/api/storage/legal-holds", a.Token("org-1", "admin"), `{"prefix":"workspace/doc/race-1/","reason":"race"}`)
		want(t, "hold the object", r, http.StatusCreated, "")
		setAt = time.Now()
	})
	wg.Wait()
	refused := 0
	for i, o := range outcomes {
		meta := a.Get("/api/storage/metadata/"+files[i].FilePath, a.Token("org-1", "viewer"))
		switch o.status {
		case http.StatusOK:
			if o.sent.After(setAt) {
				t.Errorf("file %d: hard-deleted by a request sent after the hold was set", i)
			}
			want(t, fmt.Sprintf("file %d, hard-deleted", i), meta, http.StatusNotFound, "not_found")
		default:
			refused++
			want(t, fmt.Sprintf("file %d, refused", i), meta, http.StatusOK, "")
		}
	}
	if got := blobs(t, a); got != before-(n-refused) {
		t.Errorf("blobs: got %d, want %d (%d of %d deletes refused)", got, before-(n-refused), refused, n)
	}
	t.Logf("%d of %d hard deletes refused by the hold", refused, n)
}

// TestLegalHoldKeepsVersions: on a kind that keeps no versions, an
// overwrite of a held file keeps the replaced content as a version (the
// hold is on the file's object, set before the overwrite), the purge past
// every retention keeps it, and once the hold is cleared the next
// overwrite keeps none again; on SQLite with local disk and on PostgreSQL
// with the S3 server.
func TestLegalHoldKeepsVersions(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			a := newAPI(t, with(env, "STORAGEGW_UNVERSIONED_KINDS", "workspace/doc"))
			admin, member := a.Token("org-1", "admin"), a.Token("org-1", "member")
			first, second, third := pngOf(100), pngOf(200), pngOf(300)
			rec := a.UploadDoc("org-1", "kept-1", "k.png", first)
			want(t, "hold the object", a.SendJSON(http.MethodPost, "/api/storage/legal-holds", admin,
				`{"prefix":"workspace/doc/kept-1/","reason":"case 7"}`), http.StatusCreated, "")
			want(t, "overwrite while held", uploadDoc(a, "org-1", "kept-1", "k.png", second, true), http.StatusCreated, "")
			vs := a.versions(t, member, rec.FilePath)
			if len(vs) != 1 || vs[0].SHA256 != sha(first) {
				t.Fatalf("versions of a held file of an unversioned kind: %+v, want the first content", vs)
			}
			if rep := purgeAll(t, a); rep.VersionsPurged != 0 {
				t.Errorf("purge: %+v, want the held version kept", rep)
			}
			if n := len(a.versions(t, member, rec.FilePath)); n != 1 {
				t.Errorf("versions after the purge: %d, want 1", n)
			}
			want(t, "clear", a.SendJSON(http.MethodPost, "/api/storage/legal-holds/clear", admin,
				`{"prefix":"workspace/doc/kept-1/"}`), http.StatusOK, "")
			want(t, "overwrite after the hold", uploadDoc(a, "org-1", "kept-1", "k.png", third, true), http.StatusCreated, "")
			if n := len(a.versions(t, member, rec.FilePath)); n != 1 {
				t.Errorf("versions after an unheld overwrite: %d, want still 1 (the kind keeps none)", n)
			}
			if n := blobs(t, a); n != 2 {
				t.Errorf("blobs in the store: %d, want 2 (the current content and the held version)", n)
			}
		})
	}
}
