package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"storagegw/domain/ziptest"
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
// with the change, in its transaction, so a retry gets it: the status,
// body and kept headers the first request got, Idempotent-Replayed:
// true, and of audit events exactly the first request's change and then
// the replay's. For every route that takes an Idempotency-Key: the three
// upload routes (and an upload form with a 64 KiB epilogue), an
// overwrite, a soft and a hard delete, a restore, multipart initiate,
// complete and abort, a TUS creation, a TUS creation-with-upload that
// sends part of the file and one that sends all of it, and both link
// revocations; on SQLite with local disk and on PostgreSQL with S3.
func TestIdempotencyCrashAfterCommitReplaysTheFirstAnswer(t *testing.T) {
	t.Parallel()
	for _, b := range idemBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, b.env(t))
			member, admin := a.Token("org-1", "member"), a.Token("org-1", "admin")
			fields := func(id string) [][2]string {
				return [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", id}, {"overwrite", "true"}}
			}
			pathOf := func(id string) string { return "org-1/workspace/doc/" + id + "/a.png" }
			want(t, "the overwritten file's first version",
				a.uploadWithKey("/api/storage/upload", member, "seed", fields("over"), "a.png", pngOf(1000)), http.StatusCreated, "")
			for _, id := range []string{"soft", "hard", "rest", "links"} {
				want(t, "a file for "+id, a.uploadWithKey("/api/storage/upload", member, "seed-"+id, fields(id), "a.png", pngOf(500)), http.StatusCreated, "")
			}
			want(t, "a deleted file to restore", a.SendJSON(http.MethodDelete, "/api/storage/delete", admin,
				fmt.Sprintf(`{"file_path":%q}`, pathOf("rest"))), http.StatusOK, "")
			link, withBody := a.signLink(t, member, pathOf("links"), ""), a.signLink(t, member, pathOf("links"), "")
			a.signLink(t, member, pathOf("links"), "")
			s := a.initiate(member, `"system":"workspace","object_type":"doc","object_id":"mp","filename":"big.bin"`, 6<<20)
			data := bytes.Repeat([]byte("0123456789abcdef"), (6<<20)/16)
			parts := a.putParts(a.partURLs(member, s), s.PartSize, data)
			complete, _ := json.Marshal(map[string]any{"upload_id": s.UploadID, "parts": parts})
			toAbort := a.initiate(member, `"system":"workspace","object_type":"doc","object_id":"ab","filename":"big.bin"`, 6<<20)
			tusCreate := func(key, id string, length int, body []byte, chunked bool) func() response {
				return func() response {
					h := tusHeader("Upload-Length", strconv.Itoa(length), "Idempotency-Key", key,
						"Upload-Metadata", tusMeta("system", "workspace", "object_type", "pdf", "object_id", id, "filename", "t.pdf"))
					h.Set("Content-Type", "application/offset+octet-stream")
					switch {
					case body == nil:
						return a.Do(http.MethodPost, "/api/storage/tus/", member, nil, h)
					case chunked:
						return a.Do(http.MethodPost, "/api/storage/tus/", member, io.MultiReader(bytes.NewReader(body)), h)
					}
					return a.Do(http.MethodPost, "/api/storage/tus/", member, bytes.NewReader(body), h)
				}
			}
			whole := pdfOf(300 << 10)

			for _, c := range []struct {
				name, action string
				send         func() response
			}{
				{"upload", "UPLOAD", func() response {
					return a.uploadWithKey("/api/storage/upload", member, "k-new", fields("new"), "a.png", pngOf(2000))
				}},
				{"upload with a 64 KiB epilogue", "UPLOAD", func() response {
					body, ct := formWithEpilogue(fields("epi"), "a.png", pngOf(2000), 64<<10)
					return a.Do(http.MethodPost, "/api/storage/upload", member, body,
						http.Header{"Content-Type": {ct}, "Idempotency-Key": {"k-epi"}})
				}},
				{"receipt upload", "UPLOAD", func() response {
					return a.uploadWithKey("/api/storage/receipt-upload", member, "k-rc", [][2]string{{"object_id", "rc"}}, "r.pdf", pdfBytes)
				}},
				{"app zip upload", "UPLOAD", func() response {
					return a.uploadWithKey("/api/storage/app-zip-upload", member, "k-zip", [][2]string{{"object_id", "app"}}, "app.zip",
						ziptest.Of("index.html", "app.js"))
				}},
				{"overwrite", "EDIT", func() response {
					return a.uploadWithKey("/api/storage/upload", member, "k-over", fields("over"), "a.png", pngOf(3000))
				}},
				{"soft delete", "DELETE", func() response {
					return a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "k-soft", fmt.Sprintf(`{"file_path":%q}`, pathOf("soft")))
				}},
				{"hard delete", "DELETE", func() response {
					return a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "k-hard", fmt.Sprintf(`{"file_path":%q,"hard":true}`, pathOf("hard")))
				}},
				{"restore", "RESTORE", func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/restore", admin, "k-rest", fmt.Sprintf(`{"file_path":%q}`, pathOf("rest")))
				}},
				{"multipart initiate", "MULTIPART_INITIATE", func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/multipart/initiate", member, "k-mpi",
						`{"system":"workspace","object_type":"doc","object_id":"mpi","filename":"big.bin","size":6291456}`)
				}},
				{"multipart complete", "UPLOAD", func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/multipart/complete", member, "k-mp", string(complete))
				}},
				{"multipart abort", "MULTIPART_ABORT", func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/multipart/abort", member, "k-ab",
						fmt.Sprintf(`{"upload_id":%q}`, toAbort.UploadID))
				}},
				{"TUS creation", "MULTIPART_INITIATE", tusCreate("k-tus", "tus", 2048, nil, false)},
				{"TUS creation with part of the file", "MULTIPART_INITIATE", tusCreate("k-tus-part", "tus-part", 6<<20, whole, false)},
				{"TUS creation with the whole file", "UPLOAD", tusCreate("k-tus-whole", "tus-whole", len(whole), whole, false)},
				{"TUS creation with the whole file, chunked", "UPLOAD", tusCreate("k-tus-chunked", "tus-chunked", len(whole), whole, true)},
				{"link revocation", "LINK_REVOKED", func() response {
					return a.Do(http.MethodDelete, "/api/storage/links/"+link.LinkID, member, nil, http.Header{"Idempotency-Key": {"k-link"}})
				}},
				{"link revocation with a body", "LINK_REVOKED", func() response {
					return a.Do(http.MethodDelete, "/api/storage/links/"+withBody.LinkID, member, bytes.NewReader(bytes.Repeat([]byte(" "), 8<<10)),
						http.Header{"Idempotency-Key": {"k-link-body"}})
				}},
				{"revocation of a file's links", "LINK_REVOKED", func() response {
					return a.jsonWithKey(http.MethodPost, "/api/storage/links/revoke", member, "k-links",
						fmt.Sprintf(`{"file_path":%q}`, pathOf("links")))
				}},
			} {
				t.Run(c.name, func(t *testing.T) { crashThenReplay(t, a, b.postgres, c.action, c.send) })
			}
		})
	}
}

// crashThenReplay sends a request whose service "dies" right after its
// change committed, then its retry, and checks that the retry got the
// first answer replayed and that the two wrote exactly the change's
// event (action) and then one replay event.
func crashThenReplay(t *testing.T, a *api, postgres bool, action string, send func() response) {
	seen := eventIDs(a)
	undo := injectCrashAfterCommit(t, a, postgres)
	first := send()
	undo()
	if first.Status/100 != 2 {
		t.Fatalf("the first request got %d %s", first.Status, first.Body)
	}
	change := newEvents(a, seen)
	if len(change) != 1 || change[0].ActionType != action || !change[0].Success || isReplayEvent(change[0]) {
		t.Fatalf("the first request's events %+v, want one successful %s", change, action)
	}
	seen = eventIDs(a)
	again := send()
	requireReplay(t, "after the crash", first, again)
	for _, h := range []string{"Location", "Upload-Offset", "Upload-Expires", "Storage-File-Path"} {
		if again.Header.Get(h) != first.Header.Get(h) {
			t.Fatalf("replay: %s %q, want %q", h, again.Header.Get(h), first.Header.Get(h))
		}
	}
	replay := newEvents(a, seen)
	if len(replay) != 1 || !isReplayEvent(replay[0]) || replay[0].ActionType == "" ||
		replay[0].Metadata["original_request_id"] != first.Header.Get("X-Request-ID") {
		t.Fatalf("the retry's events %+v, want one replay of request %s (nothing changed twice)",
			replay, first.Header.Get("X-Request-ID"))
	}
}

// formWithEpilogue is an upload form followed, after its closing
// boundary, by an epilogue of n bytes (RFC 2046: ignored).
func formWithEpilogue(fields [][2]string, filename string, content []byte, n int) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(content)
	w.Close()
	buf.WriteString("\r\n")
	buf.Write(bytes.Repeat([]byte("epilogue "), n/9+1)[:n])
	return &buf, w.FormDataContentType()
}

// eventIDs are the ids of org-1's audit events so far.
func eventIDs(a *api) []string {
	var ids []string
	for _, e := range a.AuditLog("org-1", "") {
		ids = append(ids, e.ID)
	}
	return ids
}

// newEvents are org-1's audit events not in seen, but the reads of the
// trail itself (AuditLog's own).
func newEvents(a *api, seen []string) []auditItem {
	var out []auditItem
	for _, e := range a.AuditLog("org-1", "") {
		if !slices.Contains(seen, e.ID) && e.ActionType != "AUDIT_QUERY" {
			out = append(out, e)
		}
	}
	return out
}
