package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// TestMain removes the storagegw binary the process tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	e2etest.RemoveBinary()
	os.Exit(code)
}

// procBackend is where the process tests put a gateway: SQLite and local
// disk under its data dir, or PostgreSQL and the S3 server.
type procBackend struct {
	name   string
	env    map[string]string
	s3     *s3Server // nil on local disk
	bucket string
	held   int // bytes a held upload sends before the fault: over one store part on S3
}

func sqliteBackend(*testing.T) procBackend {
	return procBackend{name: "sqlite+localfs", env: map[string]string{}, held: 256 << 10}
}

func postgresS3Backend(t *testing.T) procBackend {
	t.Helper()
	env := postgresEnv(t)
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	for k, v := range s3.SpacesEnv(s3.Endpoint, bucket, map[string]string{"SPACES_PART_SIZE_MIB": "5"}) {
		env[k] = v
	}
	return procBackend{name: "postgres+s3", env: env, s3: &s3, bucket: bucket, held: 5<<20 + 256<<10}
}

// with is b's settings plus extra.
func (b procBackend) with(extra map[string]string) map[string]string {
	env := map[string]string{}
	for k, v := range b.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// openDB opens the database of p's settings, for the leftovers only the
// database shows (pending rows).
func openDB(t *testing.T, p *e2etest.Process) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", p.Env["DATABASE_URL"]
	if dsn == "" {
		driver, dsn = "sqlite", "file:"+p.Cfg.SQLitePath()+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pendingRows counts the records that hold a reservation: a new file's
// pending row or an overwrite's.
func pendingRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(),
		"SELECT count(*) FROM file_records WHERE state = 'pending' OR pending_upload_id <> ''").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// tempFiles counts the temp files of local-disk Puts under p's data dir.
func tempFiles(t *testing.T, p *e2etest.Process) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(p.Cfg.BlobRoot(), "tmp"))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Type().IsRegular() { // tmp/multipart/ holds the local multipart uploads
			n++
		}
	}
	return n
}

// storeUploads counts the incomplete multipart uploads in the bucket (0 on
// local disk).
func (b procBackend) storeUploads(t *testing.T) int {
	t.Helper()
	if b.s3 == nil {
		return 0
	}
	return len(b.s3.incompleteUploads(t, b.bucket))
}

// waitFor polls cond every 20 ms until it holds, for at most within.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCount polls count every 20 ms until it is want (at least want when
// atLeast), for at most a minute (a loaded machine is slow, a stuck one
// fails), and names the last count when it gives up.
func waitCount(t *testing.T, what string, want int, atLeast bool, count func() int) {
	t.Helper()
	start := time.Now()
	for {
		n := count()
		if n == want || atLeast && n > want {
			if d := time.Since(start); d > 5*time.Second {
				t.Logf("%s: %d after %v", what, n, d.Round(time.Millisecond))
			}
			return
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("%s: %d after a minute, want %d", what, n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// heldUpload is an upload whose client sent its fields and the first
// bytes of its file and then goes on sending 80 KiB/s, never finishing.
type heldUpload struct {
	path string
	pw   *io.PipeWriter
	res  chan heldResult
}

type heldResult struct {
	status int
	body   []byte
	err    error
	at     time.Time
}

// holdUpload starts an upload of a workspace doc objectID/held.png of org
// through base, sends n bytes of its file and then trickles on.
func holdUpload(base, tok, org, objectID string, n int) *heldUpload {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	h := &heldUpload{path: org + "/workspace/doc/" + objectID + "/held.png", pw: pw, res: make(chan heldResult, 1)}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/storage/upload", pr)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	go h.send(req, pr)
	go func() {
		for _, f := range [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", objectID}} {
			_ = mw.WriteField(f[0], f[1])
		}
		fw, _ := mw.CreateFormFile("file", "held.png")
		if _, err := fw.Write(pngOf(n)); err != nil {
			return
		}
		// Then a trickle, as a client on a slow link sends: it notices a
		// broken connection when it next writes.
		chunk := make([]byte, 4<<10)
		for {
			time.Sleep(50 * time.Millisecond)
			if _, err := fw.Write(chunk); err != nil {
				return
			}
		}
	}()
	return h
}

// send sends req, whose body pr is, and hands its outcome to h.res.
func (h *heldUpload) send(req *http.Request, pr *io.PipeReader) {
	res, err := http.DefaultClient.Do(req)
	r := heldResult{err: err}
	if err == nil {
		r.status = res.StatusCode
		r.body, r.err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	r.at = time.Now()
	pr.CloseWithError(io.ErrClosedPipe)
	h.res <- r
}

// wait returns the held upload's outcome, failing the test after within.
func (h *heldUpload) wait(t *testing.T, within time.Duration) heldResult {
	t.Helper()
	select {
	case r := <-h.res:
		return r
	case <-time.After(within):
		t.Fatalf("held upload %s: no outcome within %v", h.path, within)
		return heldResult{}
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// readBack checks that path is a record of org with checksum sum and that
// its content, read through a signed URL, hashes to it.
func readBack(t *testing.T, a *api, org, path, sum string) {
	t.Helper()
	tok := a.Token(org, "viewer")
	r := a.Get("/api/storage/metadata/"+path, tok)
	if r.Status != http.StatusOK {
		t.Errorf("metadata of %s: got %d %s", path, r.Status, r.Body)
		return
	}
	var rec record
	r.JSON(t, &rec)
	if rec.SHA256 != sum {
		t.Errorf("%s: sha256 %s, want %s", path, rec.SHA256, sum)
	}
	var signed struct{ URL string }
	a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, `{"file_path": "`+path+`"}`).JSON(t, &signed)
	if got := a.Get(signed.URL, ""); got.Status != http.StatusOK || sha(got.Body) != sum {
		t.Errorf("content of %s: got %d, sha256 %s, want 200 and %s", path, got.Status, sha(got.Body), sum)
	}
}

// uploadEvents are the UPLOAD events of org by path: [successes, failures].
func uploadEvents(t *testing.T, a *api, org string) map[string][2]int {
	t.Helper()
	out := map[string][2]int{}
	for _, e := range a.AuditLog(org, "action_type=UPLOAD") {
		c := out[e.FilePath]
		if e.Success {
			c[0]++
		} else {
			c[1]++
		}
		out[e.FilePath] = c
	}
	return out
}

// counts parses the numbers of a command's summary line against re, whose
// groups are the numbers wanted.
func counts(t *testing.T, re *regexp.Regexp, out string) []int {
	t.Helper()
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q does not match %s", out, re)
	}
	n := make([]int, len(m)-1)
	for i, s := range m[1:] {
		n[i], _ = strconv.Atoi(s)
	}
	return n
}

// cleanupLine is cleanup-uploads' summary: sessions, reservations, store
// uploads, temp files, skipped, failures.
var cleanupLine = regexp.MustCompile(`cleaned up (\d+) expired sessions, (\d+) lapsed reservations, (\d+) leftover store uploads ` +
	`and (\d+) temp files; (\d+) skipped \(in use\), (\d+) failures`)

// faultFigure logs one measured figure of a fault test in the format the
// runbook's table is made from.
func faultFigure(t *testing.T, backend, fault, figure string, d time.Duration, note string) {
	t.Helper()
	t.Logf("FAULT %-14s | %-34s | %-26s | %8v | %s", backend, fault, figure, d.Round(time.Millisecond), note)
}

// tryUpload uploads content as the workspace doc objectID/name through
// base; unlike api.Upload it returns a broken connection as an error.
func tryUpload(base, tok, objectID, name string, content []byte) (response, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", objectID}} {
		_ = w.WriteField(f[0], f[1])
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, base+"/api/storage/upload", &buf)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// purgeLine is purge's summary: files purged.
var purgeLine = regexp.MustCompile(`purged (\d+) files, \d+ bytes, \d+ failures`)

// containsAll reports whether s contains each of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
