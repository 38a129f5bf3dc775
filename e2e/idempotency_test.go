package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/domain/ziptest"
)

// idemBackend is one environment the Idempotency-Key tests run on, with a
// count of the blobs its store holds.
type idemBackend struct {
	name     string
	env      func(t *testing.T) map[string]string
	blobs    func(t *testing.T, a *api) int
	postgres bool
}

func idemBackends() []idemBackend {
	return []idemBackend{
		{name: "SQLiteLocalDisk", env: func(*testing.T) map[string]string { return map[string]string{} }, blobs: localBlobs},
		{name: "PostgresS3", env: func(t *testing.T) map[string]string {
			s3 := testS3(t)
			env := s3.SpacesEnv(s3.Endpoint, s3.Bucket(t), postgresEnv(t))
			return env
		}, blobs: func(t *testing.T, a *api) int {
			return len(testS3(t).Keys(t, a.Cfg.Spaces.Bucket))
		}, postgres: true},
	}
}

// localBlobs counts the files under the local blob root.
func localBlobs(t *testing.T, a *api) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(a.Cfg.BlobRoot(), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n
}

// form is an upload form, built anew (a new random boundary) every time.
func form(fields [][2]string, filename string, content []byte) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(content)
	w.Close()
	return &buf, w.FormDataContentType()
}

func (a *api) uploadWithKey(route, tok, key string, fields [][2]string, filename string, content []byte) response {
	a.T.Helper()
	body, ct := form(fields, filename, content)
	return a.Do(http.MethodPost, route, tok, body, http.Header{"Content-Type": {ct}, "Idempotency-Key": {key}})
}

func (a *api) jsonWithKey(method, route, tok, key, body string) response {
	a.T.Helper()
	return a.Do(method, route, tok, strings.NewReader(body), http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {key}})
}

// requireReplay fails unless second is first replayed: same status and
// body, Idempotent-Replayed: true (and first not marked).
func requireReplay(t *testing.T, what string, first, second response) {
	t.Helper()
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("%s: the first answer is marked replayed", what)
	}
	if second.Status != first.Status || !bytes.Equal(second.Body, first.Body) {
		t.Fatalf("%s: replay got %d %s, want %d %s", what, second.Status, second.Body, first.Status, first.Body)
	}
	if second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("%s: replay lacks Idempotent-Replayed: true (headers %v)", what, second.Header)
	}
	if ct := second.Header.Get("Content-Type"); ct != first.Header.Get("Content-Type") {
		t.Fatalf("%s: replay Content-Type %q, want %q", what, ct, first.Header.Get("Content-Type"))
	}
}

// events are org's audit events of action, oldest first.
func (a *api) events(org, action string) []auditItem {
	a.T.Helper()
	items := a.AuditLog(org, "action_type="+action)
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items
}

func isReplayEvent(e auditItem) bool { v, _ := e.Metadata["idempotent_replay"].(bool); return v }

func TestIdempotencyKeys(t *testing.T) {
	for _, b := range idemBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, b.env(t))
			t.Run("Uploads", func(t *testing.T) { testIdemUploads(t, a, b) })
			t.Run("Multipart", func(t *testing.T) { testIdemMultipart(t, a, b) })
			t.Run("DeleteRestore", func(t *testing.T) { testIdemDeleteRestore(t, a) })
			t.Run("Reused", func(t *testing.T) { testIdemReused(t, a) })
			t.Run("InFlight", func(t *testing.T) { testIdemInFlight(t, a, b) })
			t.Run("Concurrent", func(t *testing.T) { testIdemConcurrent(t, a, b) })
			t.Run("Expiry", func(t *testing.T) { testIdemExpiry(t, a) })
			t.Run("BadKey", func(t *testing.T) {
				for _, k := range []string{"has space", strings.Repeat("k", 256), "semi;colon", "é"} {
					r := a.jsonWithKey(http.MethodPost, "/api/storage/restore", a.Token("org-bad", "admin"), k, `{"file_path":"x"}`)
					want(t, "key "+k, r, http.StatusBadRequest, "invalid_idempotency_key")
				}
			})
		})
	}
}

func testIdemUploads(t *testing.T, a *api, b idemBackend) {
	org := "org-up-" + b.name
	tok := a.Token(org, "member")
	before := b.blobs(t, a)
	png := pngOf(300 << 10)
	// overwrite=true: a second run would store a second blob and a new version.
	fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}, {"overwrite", "true"}}
	first := a.uploadWithKey("/api/storage/upload", tok, "up-1", fields, "a.png", png)
	want(t, "first upload", first, http.StatusCreated, "")
	second := a.uploadWithKey("/api/storage/upload", tok, "up-1", fields, "a.png", png)
	requireReplay(t, "upload", first, second)
	if n := b.blobs(t, a) - before; n != 1 {
		t.Fatalf("blobs stored: got %d, want 1 (the replay stores nothing)", n)
	}
	var rec record
	first.JSON(t, &rec)
	if meta := a.Get("/api/storage/metadata/"+rec.FilePath, tok); !strings.Contains(string(meta.Body), rec.UpdatedAt) {
		t.Fatalf("metadata after replay: %s, want updated_at %s unchanged", meta.Body, rec.UpdatedAt)
	}
	ups := a.events(org, "UPLOAD")
	if len(ups) != 2 || isReplayEvent(ups[0]) || !isReplayEvent(ups[1]) || !ups[1].Success {
		t.Fatalf("UPLOAD events: got %+v, want the upload then one replay", ups)
	}
	if got := ups[1].Metadata["original_request_id"]; got != first.Header.Get("X-Request-ID") || ups[1].FilePath != rec.FilePath {
		t.Fatalf("replay event: original_request_id %v path %q, want %q %q", got, ups[1].FilePath, first.Header.Get("X-Request-ID"), rec.FilePath)
	}

	r1 := a.uploadWithKey("/api/storage/receipt-upload", tok, "rc-1", [][2]string{{"object_id", "r1"}}, "r.pdf", pdfBytes)
	want(t, "receipt", r1, http.StatusCreated, "")
	requireReplay(t, "receipt-upload", r1, a.uploadWithKey("/api/storage/receipt-upload", tok, "rc-1", [][2]string{{"object_id", "r1"}}, "r.pdf", pdfBytes))

	zip := ziptest.Of("index.html", "app.js")
	z1 := a.uploadWithKey("/api/storage/app-zip-upload", tok, "zip-1", [][2]string{{"object_id", "app1"}}, "app.zip", zip)
	want(t, "app zip", z1, http.StatusCreated, "")
	requireReplay(t, "app-zip-upload", z1, a.uploadWithKey("/api/storage/app-zip-upload", tok, "zip-1", [][2]string{{"object_id", "app1"}}, "app.zip", zip))
	if n := b.blobs(t, a) - before; n != 3 {
		t.Fatalf("blobs stored: got %d, want 3", n)
	}

	// A refusal whose body was read whole is final and replayed too:
	// 409 file_exists without overwrite.
	noOver := fields[:3]
	c1 := a.uploadWithKey("/api/storage/upload", tok, "up-exists", noOver, "a.png", png)
	want(t, "upload onto an existing path", c1, http.StatusConflict, "file_exists")
	c2 := a.uploadWithKey("/api/storage/upload", tok, "up-exists", noOver, "a.png", png)
	if c2.Status != http.StatusConflict {
		t.Fatalf("retry of a refused upload: got %d %s", c2.Status, c2.Body)
	}
}

func testIdemMultipart(t *testing.T, a *api, b idemBackend) {
	org := "org-mp-" + b.name
	tok := a.Token(org, "member")
	init := fmt.Sprintf(`{"system":"workspace","object_type":"doc","object_id":"m1","filename":"big.bin","size":%d}`, 6<<20)
	i1 := a.jsonWithKey(http.MethodPost, "/api/storage/multipart/initiate", tok, "mp-init", init)
	want(t, "initiate", i1, http.StatusCreated, "")
	// The same JSON, spaced and ordered otherwise: the same request.
	respaced := fmt.Sprintf(`{ "size": %d, "filename": "big.bin", "object_id": "m1", "object_type": "doc", "system": "workspace" }`, 6<<20)
	requireReplay(t, "initiate", i1, a.jsonWithKey(http.MethodPost, "/api/storage/multipart/initiate", tok, "mp-init", respaced))
	var s session
	i1.JSON(t, &s)
	data := bytes.Repeat([]byte("0123456789abcdef"), (6<<20)/16)
	parts := a.putParts(a.partURLs(tok, s), s.PartSize, data)
	body, _ := json.Marshal(map[string]any{"upload_id": s.UploadID, "parts": parts})
	c1 := a.jsonWithKey(http.MethodPost, "/api/storage/multipart/complete", tok, "mp-done", string(body))
	want(t, "complete", c1, http.StatusCreated, "")
	requireReplay(t, "complete", c1, a.jsonWithKey(http.MethodPost, "/api/storage/multipart/complete", tok, "mp-done", string(body)))

	s2 := a.initiate(tok, `"system":"workspace","object_type":"doc","object_id":"m2","filename":"x.bin"`, 6<<20)
	abort := fmt.Sprintf(`{"upload_id":%q}`, s2.UploadID)
	a1 := a.jsonWithKey(http.MethodPost, "/api/storage/multipart/abort", tok, "mp-abort", abort)
	want(t, "abort", a1, http.StatusOK, "")
	requireReplay(t, "abort", a1, a.jsonWithKey(http.MethodPost, "/api/storage/multipart/abort", tok, "mp-abort", abort))
	if n := len(a.events(org, "MULTIPART_INITIATE")); n != 3 {
		t.Fatalf("MULTIPART_INITIATE events: got %d, want 3 (two initiates, one replay)", n)
	}
}

func testIdemDeleteRestore(t *testing.T, a *api) {
	org := "org-del"
	rec := a.UploadDoc(org, "d1", "a.png", pngOf(1<<10))
	admin := a.Token(org, "admin")
	del := fmt.Sprintf(`{"file_path":%q}`, rec.FilePath)
	d1 := a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "del-1", del)
	want(t, "delete", d1, http.StatusOK, "")
	// Without the key, a second delete would be 404: the file is gone.
	requireReplay(t, "delete", d1, a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "del-1", del))
	r1 := a.jsonWithKey(http.MethodPost, "/api/storage/restore", admin, "res-1", del)
	want(t, "restore", r1, http.StatusOK, "")
	requireReplay(t, "restore", r1, a.jsonWithKey(http.MethodPost, "/api/storage/restore", admin, "res-1", del))
	dels := a.events(org, "DELETE")
	if len(dels) != 2 || !isReplayEvent(dels[1]) || dels[1].FilePath != rec.FilePath {
		t.Fatalf("DELETE events: got %+v, want the delete and its replay", dels)
	}
	// A refusal read whole (404) is kept and replayed as well.
	gone := `{"file_path":"` + org + `/workspace/doc/d1/none.png"}`
	n1 := a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "del-404", gone)
	want(t, "delete of nothing", n1, http.StatusNotFound, "not_found")
	requireReplay(t, "delete of nothing", n1, a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "del-404", gone))
	if last := a.events(org, "DELETE"); last[len(last)-1].Success || !isReplayEvent(last[len(last)-1]) {
		t.Fatalf("the replay of a refusal: got %+v, want success=false, a replay", last[len(last)-1])
	}
}

func testIdemReused(t *testing.T, a *api) {
	org := "org-reuse"
	tok := a.Token(org, "admin")
	fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}
	want(t, "first", a.uploadWithKey("/api/storage/upload", tok, "k", fields, "a.png", pngOf(2<<10)), http.StatusCreated, "")
	other := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d2"}}
	want(t, "other fields", a.uploadWithKey("/api/storage/upload", tok, "k", other, "a.png", pngOf(2<<10)), http.StatusUnprocessableEntity, "idempotency_key_reused")
	want(t, "other bytes", a.uploadWithKey("/api/storage/upload", tok, "k", fields, "a.png", pngOf(3<<10)), http.StatusUnprocessableEntity, "idempotency_key_reused")
	want(t, "other filename", a.uploadWithKey("/api/storage/upload", tok, "k", fields, "b.png", pngOf(2<<10)), http.StatusUnprocessableEntity, "idempotency_key_reused")
	want(t, "other route", a.jsonWithKey(http.MethodDelete, "/api/storage/delete", tok, "k", `{"file_path":"x"}`), http.StatusUnprocessableEntity, "idempotency_key_reused")
	// Another user's key of the same name is another key.
	want(t, "another user", a.uploadWithKey("/api/storage/upload", a.Token(org, "member"), "k", other, "a.png", pngOf(2<<10)), http.StatusCreated, "")
	if n := len(a.AuditLog(org, "action_type=DELETE&success=false")); n != 1 {
		t.Fatalf("refused DELETE events: got %d, want the 422's one", n)
	}
}

// slowBody sends head, then waits for release before the rest.
type slowBody struct {
	head, tail *bytes.Reader
	release    chan struct{}
	sentHead   chan struct{}
	once       sync.Once
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.head.Len() > 0 {
		return b.head.Read(p)
	}
	b.once.Do(func() { close(b.sentHead); <-b.release })
	return b.tail.Read(p)
}

func testIdemInFlight(t *testing.T, a *api, b idemBackend) {
	org := "org-flight-" + b.name
	tok := a.Token(org, "member")
	fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}
	body, ct := form(fields, "a.png", pngOf(64<<10))
	all, _ := io.ReadAll(body)
	slow := &slowBody{head: bytes.NewReader(all[:len(all)/2]), tail: bytes.NewReader(all[len(all)/2:]),
		release: make(chan struct{}), sentHead: make(chan struct{})}
	done := make(chan response)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/storage/upload", slow)
		req.ContentLength = int64(len(all))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", "flight")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- response{Status: -1, Body: []byte(err.Error())}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		done <- response{Status: res.StatusCode, Header: res.Header, Body: b}
	}()
	<-slow.sentHead
	for i := 0; ; i++ { // until the first request has claimed the key
		var n int
		err := a.Svc.DB.SQL().QueryRowContext(context.Background(),
			"SELECT count(*) FROM idempotency_keys WHERE org_id = '"+org+"' AND state = 'in_progress'").Scan(&n)
		if err != nil || i == 250 {
			t.Fatalf("the first request never claimed its key (%v)", err)
		}
		if n == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	second := a.uploadWithKey("/api/storage/upload", tok, "flight", fields, "a.png", pngOf(64<<10))
	want(t, "while the first runs", second, http.StatusConflict, "idempotency_key_in_progress")
	close(slow.release)
	first := <-done
	want(t, "the first", first, http.StatusCreated, "")
	requireReplay(t, "after the first", first, a.uploadWithKey("/api/storage/upload", tok, "flight", fields, "a.png", pngOf(64<<10)))
}

func testIdemConcurrent(t *testing.T, a *api, b idemBackend) {
	org := "org-conc-" + b.name
	tok := a.Token(org, "member")
	before := b.blobs(t, a)
	fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}, {"overwrite", "true"}}
	png := pngOf(200 << 10)
	const n = 8
	var wg sync.WaitGroup
	got := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = a.uploadWithKey("/api/storage/upload", tok, "together", fields, "a.png", png)
		}()
	}
	wg.Wait()
	ran, replayed, busy := 0, 0, 0
	for _, r := range got {
		switch {
		case r.Status == http.StatusCreated && r.Header.Get("Idempotent-Replayed") == "":
			ran++
		case r.Status == http.StatusCreated:
			replayed++
		case r.Status == http.StatusConflict && r.Code() == "idempotency_key_in_progress":
			busy++
		default:
			t.Errorf("got %d %s", r.Status, r.Body)
		}
	}
	if ran != 1 || ran+replayed+busy != n {
		t.Fatalf("got %d run, %d replayed, %d in progress; want exactly 1 run", ran, replayed, busy)
	}
	if d := b.blobs(t, a) - before; d != 1 {
		t.Fatalf("blobs stored: got %d, want 1", d)
	}
	if ups := a.AuditLog(org, "action_type=UPLOAD&success=true"); len(ups)-replayed != 1 {
		t.Fatalf("successful UPLOAD events: got %d with %d replays, want one upload", len(ups), replayed)
	}
}

func testIdemExpiry(t *testing.T, a *api) {
	org := "org-exp"
	admin := a.Token(org, "admin")
	rec := a.UploadDoc(org, "d1", "a.png", pngOf(1<<10))
	del := fmt.Sprintf(`{"file_path":%q}`, rec.FilePath)
	want(t, "delete", a.jsonWithKey(http.MethodDelete, "/api/storage/delete", admin, "exp-1", del), http.StatusOK, "")
	ctx := context.Background()
	n, err := a.Svc.App.Idempotency.Expire(ctx)
	if err != nil || n != 0 {
		t.Fatalf("clean-up of live keys: removed %d (%v), want 0", n, err)
	}
	if _, err := a.Svc.DB.SQL().ExecContext(ctx, "UPDATE idempotency_keys SET expires_at = created_at WHERE org_id = '"+org+"'"); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Svc.App.Idempotency.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("clean-up: removed %d (%v), want the expired key", n, err)
	}
	// The key is free again: another request with it runs.
	want(t, "the key after expiry", a.jsonWithKey(http.MethodPost, "/api/storage/restore", admin, "exp-1", del), http.StatusOK, "")
}

// TestIdempotencyKeySurvivesRestart: a key kept by one gateway is replayed
// by the next one on the same PostgreSQL database (a restart, or another
// replica).
func TestIdempotencyKeySurvivesRestart(t *testing.T) {
	t.Parallel()
	env := postgresEnv(t)
	env["STORAGEGW_DATA_DIR"] = t.TempDir() // the same development secret and blobs for both
	var first response
	fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}, {"overwrite", "true"}}
	png := pngOf(50 << 10)
	t.Run("Before", func(t *testing.T) {
		a := newAPI(t, env)
		first = a.uploadWithKey("/api/storage/upload", a.Token("org-restart", "member"), "restart-1", fields, "a.png", png)
		want(t, "first", first, http.StatusCreated, "")
	}) // the gateway stops here
	a := newAPI(t, env)
	requireReplay(t, "after a restart", first, a.uploadWithKey("/api/storage/upload", a.Token("org-restart", "member"), "restart-1", fields, "a.png", png))
	if n := localBlobs(t, a); n != 1 {
		t.Fatalf("blobs: got %d, want 1", n)
	}
}
