package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// tusClient is the directory of tus-js-client's node_modules (e2e/tus,
// installed by scripts/install-npm.sh). Without node and npm the test
// skips, or fails when CI=true.
func tusClient(t *testing.T) string {
	t.Helper()
	return e2etest.NPM(t, "e2e/tus", "tus-js-client/package.json")
}

// tusRun is what e2e/tus/upload.cjs answers.
type tusRun struct {
	URL      string `json:"url"`
	Sent     int64  `json:"sent"`
	FilePath string `json:"filePath"`
	MS       int64  `json:"ms"`
	Error    string `json:"error"`
	Status   int    `json:"status"`
}

// runTus runs tus-js-client in mode against endpoint with the file at path.
func runTus(t *testing.T, modules, mode, endpoint, tok, file, uploadURL string, interruptAfter int64) tusRun {
	t.Helper()
	meta, _ := json.Marshal(map[string]string{"system": "workspace", "object_type": "pdf", "object_id": "tus-1", "filename": "big.pdf"})
	cmd := exec.Command("node", "tus/upload.cjs")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "TUS_MODE="+mode, "TUS_ENDPOINT="+endpoint, "TUS_TOKEN="+tok,
		"TUS_FILE="+file, "TUS_CHUNK="+itoa(tusChunk), "TUS_METADATA="+string(meta), "TUS_URL="+uploadURL,
		"TUS_INTERRUPT_AFTER="+itoa(interruptAfter))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var r tusRun
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		t.Fatalf("tus-js-client %s: %v, %v; stdout %q, stderr %q", mode, err, jerr, out, stderr.String())
	}
	if err != nil || r.Error != "" {
		t.Fatalf("tus-js-client %s: %v: %+v; stderr %q", mode, err, r, stderr.String())
	}
	return r
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

const (
	tusChunk = 5 << 20
	tusSize  = 24 << 20
)

// tusFile writes a 24 MiB PDF-looking file and returns its path, bytes
// and SHA-256.
func tusFile(t *testing.T) (string, []byte, string) {
	t.Helper()
	data := make([]byte, tusSize)
	_, _ = rand.Read(data)
	copy(data, "%PDF-1.7\n")
	p := filepath.Join(t.TempDir(), "big.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return p, data, hex.EncodeToString(sum[:])
}

// tusResume uploads 24 MiB in 5 MiB chunks through tus-js-client on start,
// interrupts it during the third chunk, resumes it with a new client from
// the stored URL on finish (another replica, or the same) and checks the
// file: its record's sha256, the bytes through a signed URL, one UPLOAD
// event. It returns the bytes sent again after the interruption.
func tusResume(t *testing.T, start, finish *api) int64 {
	modules := tusClient(t)
	file, data, sum := tusFile(t)
	tok := start.Token("org-1", "member")
	first := runTus(t, modules, "interrupt", start.URL+"/api/storage/tus/", tok, file, "", 2*tusChunk+(1<<20))
	u, err := url.Parse(first.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/api/storage/tus/") {
		t.Fatalf("upload URL %q: %v", first.URL, err)
	}
	// The interrupted PATCH may still be ending on the server: the offset
	// it settles at is whole chunks (the broken part is not kept).
	var offset int64 = -1
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r := finish.Do(http.MethodHead, u.Path, tok, nil, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("HEAD after the interruption: got %d", r.Status)
		}
		if o := jsonAtoi(r.Header.Get("Upload-Offset")); o >= 2*tusChunk {
			offset = o
			break
		}
	}
	if offset < 2*tusChunk || offset%tusChunk != 0 {
		t.Fatalf("offset after two chunks and an interrupted third: got %d, want a whole number of chunks, at least %d", offset, 2*tusChunk)
	}
	second := runTus(t, modules, "resume", finish.URL+"/api/storage/tus/", tok, file, finish.URL+u.Path, 0)
	if second.FilePath != "org-1/workspace/pdf/tus-1/big.pdf" {
		t.Fatalf("Storage-File-Path of the final PATCH: got %q", second.FilePath)
	}
	head := finish.Do(http.MethodHead, u.Path, tok, nil, nil)
	if head.Status != http.StatusOK || head.Header.Get("Storage-File-Path") != second.FilePath ||
		head.Header.Get("Upload-Offset") != itoa(tusSize) {
		t.Fatalf("HEAD after completion: got %d %v", head.Status, head.Header)
	}
	r := finish.Get("/api/storage/metadata/"+second.FilePath, tok)
	var rec record
	r.JSON(t, &rec)
	if rec.SHA256 != sum || rec.SizeBytes != tusSize || rec.ContentType != "application/pdf" {
		t.Fatalf("record: got %+v, want sha256 %s of %d bytes", rec, sum, tusSize)
	}
	link := finish.signURL(tok, `{"file_path": "`+second.FilePath+`"}`)
	dl := finish.Do(http.MethodGet, link.URL, "", nil, nil)
	got := sha256.Sum256(dl.Body)
	if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, data) || hex.EncodeToString(got[:]) != sum {
		t.Fatalf("download: got %d, %d bytes, want the %d bytes sent", dl.Status, len(dl.Body), len(data))
	}
	uploads := 0
	for _, e := range finish.AuditLog("org-1", "action_type=UPLOAD") {
		if e.FilePath == second.FilePath && e.Success {
			uploads++
		}
	}
	if uploads != 1 {
		t.Fatalf("UPLOAD events: got %d, want 1", uploads)
	}
	resent := first.Sent - offset
	t.Logf("tus-js-client: %d bytes sent before the interruption, server kept %d: %d bytes sent again", first.Sent, offset, resent)
	return resent
}

func jsonAtoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// TestTusJSClientLocalDisk: tus-js-client uploads, is interrupted and
// resumes against the gateway on local disk.
func TestTusJSClientLocalDisk(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	tusResume(t, a, a)
	tusThroughput(t, a, "local disk")
}

// TestTusJSClientTwoReplicas: the upload starts on one gateway and is
// finished on another, on one PostgreSQL and one S3 bucket.
func TestTusJSClientTwoReplicas(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	env := s3.SpacesEnv(s3.Endpoint, bucket, postgresEnv(t))
	a := newAPI(t, env)
	env["STORAGEGW_DATA_DIR"] = a.Cfg.DataDir // one signing secret for both
	b := newAPI(t, env)
	tusResume(t, a, b)
	tusThroughput(t, a, "S3 (versitygw)")
}

// tusThroughput logs the time of a 24 MiB upload through tus-js-client
// (5 MiB chunks) next to the native multipart API (the gateway's part
// size, parts PUT one after another), on the same gateway.
func tusThroughput(t *testing.T, a *api, store string) {
	if testing.Short() {
		return
	}
	modules := tusClient(t)
	file, data, _ := tusFile(t)
	tok := a.Token("org-2", "member")
	r := runTus(t, modules, "full", a.URL+"/api/storage/tus/", tok, file, "", 0)
	if r.FilePath == "" {
		t.Fatalf("full TUS upload: no Storage-File-Path: %+v", r)
	}
	began := time.Now()
	a.uploadInParts(tok, `"system": "workspace", "object_type": "pdf", "object_id": "native-1", "filename": "big.pdf"`, data)
	native := time.Since(began)
	mibps := func(d time.Duration) float64 { return 24 / d.Seconds() }
	t.Logf("%s, 24 MiB: TUS (tus-js-client) %d ms, %.0f MiB/s; native multipart %d ms, %.0f MiB/s",
		store, r.MS, mibps(time.Duration(r.MS)*time.Millisecond), native.Milliseconds(), mibps(native))
}
