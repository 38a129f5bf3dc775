package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"storagegw/e2e/e2etest"
)

// uppyBrowser runs e2e/browser/uppy.cjs: Uppy in Chromium, on a page of
// another origin (page) than the gateway's.
type uppyBrowser struct {
	modules, chromium, dir, page string
	shots                        string
}

// uppyRun is what uppy.cjs reports: the page's state at the end and the
// requests of the upload, phase "before" or "after" the reload or cancel
// ("again" for the upload after a cancel).
type uppyRun struct {
	Requests []struct {
		Phase, Method, Kind string
		Part                int
		Offset              int64
		Status              int
		Failed              string
		Body                struct {
			UploadID string `json:"uploadId"`
			Key      string `json:"key"`
		}
	}
	InFlight    *int
	PartsBefore int
	AbortStatus int
	Restored    int
	MS          float64
	Errors      []string
	Success     *struct {
		Name, Key, UploadURL string
		Size                 int64
	}
}

// count is the number of requests of kind in phase ("" for any phase).
func (r uppyRun) count(kind, phase string) int {
	n := 0
	for _, q := range r.Requests {
		if q.Kind == kind && (phase == "" || q.Phase == phase) {
			n++
		}
	}
	return n
}

func (b uppyBrowser) run(t *testing.T, opts map[string]any) uppyRun {
	t.Helper()
	_, sub, _ := strings.Cut(t.Name(), "/") // the store and the flow
	shots := filepath.Join(b.shots, strings.ReplaceAll(sub, "/", "_"))
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts["dir"], opts["shots"] = b.dir, shots
	arg, _ := json.Marshal(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(e2etest.Root(), "e2e", "browser", "uppy.cjs"), string(arg))
	cmd.Env = append(os.Environ(), "NODE_PATH="+b.modules, "CHROMIUM="+b.chromium)
	// Past the deadline node goes with the Chromium it started (its
	// process group), and the pipes Chromium holds do not keep Output
	// waiting.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("uppy.cjs %s: %v\n%s", opts["flow"], err, stderr.String())
	}
	var r uppyRun
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("uppy.cjs %s: %v: %q\n%s", opts["flow"], err, out, stderr.String())
	}
	if len(r.Errors) > 0 || r.Success == nil {
		t.Fatalf("uppy.cjs %s: Uppy reported %q, success %+v\n%s", opts["flow"], r.Errors, r.Success, stderr.String())
	}
	return r
}

// pageURL is the Uppy page with query q.
func (b uppyBrowser) pageURL(q url.Values) string { return b.page + "/index.html?" + q.Encode() }

// uppyFile writes n bytes of a PNG (its header, then random bytes) named
// name into a new directory.
func uppyFile(t *testing.T, name string, n int) (string, []byte) {
	t.Helper()
	data := pngOf(0)
	data = append(data, make([]byte, n-len(data))...)
	_, _ = rand.Read(data[len(pngOf(0)):])
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

const uppyMiB = 1 << 20

// uppyFileSize is the file the browser uploads: 40 MiB, 8 parts of the
// 5 MiB Uppy cuts by default (and the gateway plans for it).
const uppyFileSize = 40 * uppyMiB

// TestBrowserUppy runs Uppy (@uppy/aws-s3 6.3.1 through an upload
// capability, @uppy/tus 6.0.0 through /api/storage/tus/, Golden
// Retriever 6.0.0) in headless Chromium, on a page of another origin, on
// local disk and on the S3 server: 40 MiB uploads whose SHA-256 a signed
// URL confirms, a reload that resumes sending only the missing parts, a
// cancel that aborts the session and frees the path.
func TestBrowserUppy(t *testing.T) {
	t.Parallel()
	chromium := e2etest.Chromium(t)
	modules := e2etest.NPM(t, "e2e/browser", "playwright-core/package.json")
	shots := e2etest.Artifacts(t)
	file, data := uppyFile(t, "big.png", uppyFileSize)

	stores := []struct {
		name string
		// holdPart: the reload comes with the next part held in the
		// browser rather than cut off on the way: versitygw (v1.8.0,
		// posix) keeps a part whose PUT was cut short, at its full size
		// (its content wrong), and lists it; S3 refuses such a PUT.
		holdPart bool
		// env configures the store for pages of origin page; uploads lists
		// the uploads in progress in it.
		env func(t *testing.T, page string) (env map[string]string, uploads func(t *testing.T, a *api) []string)
	}{
		{"local", false, func(t *testing.T, page string) (map[string]string, func(t *testing.T, a *api) []string) {
			return map[string]string{}, func(t *testing.T, a *api) []string { return localUploads(t, a.Cfg.DataDir) }
		}},
		{"s3", true, func(t *testing.T, page string) (map[string]string, func(t *testing.T, a *api) []string) {
			s3 := testS3(t)
			bucket := s3.Bucket(t)
			s3.BucketCORS(t, bucket, page) // docs/SPACES.md's rule
			return s3.SpacesEnv(s3.Endpoint, bucket, nil), func(t *testing.T, _ *api) []string { return s3.incompleteUploads(t, bucket) }
		}},
	}
	for _, store := range stores {
		t.Run(store.name, func(t *testing.T) {
			dir := t.TempDir()
			b := uppyBrowser{modules: modules, chromium: chromium, dir: dir, page: e2etest.PageServer(t, dir), shots: shots}
			env, uploads := store.env(t, b.page)
			env["STORAGEGW_CORS_ORIGINS"] = b.page
			a := newAPI(t, env)
			t.Run("aws-s3", func(t *testing.T) { uppyAwsS3(t, a, b, file, data, store.name) })
			t.Run("aws-s3 resume", func(t *testing.T) { uppyAwsS3Resume(t, a, b, file, data, store.holdPart) })
			t.Run("aws-s3 cancel", func(t *testing.T) { uppyAwsS3Cancel(t, a, b, file, uploads) })
			t.Run("tus", func(t *testing.T) { uppyTus(t, a, b, file, data, store.name) })
		})
	}
}

// localUploads lists the multipart uploads in progress on local disk.
func localUploads(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "tmp", "multipart"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.Name())
	}
	return ids
}

// uppyCapability obtains, as org-1's member, an upload capability for
// workspace/doc/objectID.
func uppyCapability(a *api, objectID string) companion {
	return a.capability(a.Token("org-1", "member"), `{"system": "workspace", "object_type": "doc", "object_id": "`+objectID+`"}`)
}

// wantUploadedOnce checks that path holds data (through a signed URL) and
// that one UPLOAD event, org-1's member's, recorded it.
func wantUploadedOnce(t *testing.T, a *api, path string, data []byte, viaCapability bool) {
	t.Helper()
	wantServed(t, a, a.Token("org-1", "member"), path, data)
	var uploads []auditItem
	for _, e := range a.AuditLog("org-1", "action_type=UPLOAD") {
		if e.FilePath == path {
			uploads = append(uploads, e)
		}
	}
	if len(uploads) != 1 || uploads[0].UserID != "member-org-1" || !uploads[0].Success ||
		(viaCapability && uploads[0].Metadata["capability_id"] == nil) {
		t.Errorf("UPLOAD events of %s: got %+v, want one success by member-org-1 (through the capability: %v)", path, uploads, viaCapability)
	}
}

func mibPerSecond(n int, ms float64) float64 { return float64(n) / uppyMiB / (ms / 1000) }

// uppyAwsS3: @uppy/aws-s3 uploads 40 MiB through a capability: 8 parts,
// each PUT once, then complete.
func uppyAwsS3(t *testing.T, a *api, b uppyBrowser, file string, data []byte, store string) {
	c := uppyCapability(a, "uppy-s3")
	r := b.run(t, map[string]any{"flow": "upload", "file": file,
		"url": b.pageURL(url.Values{"plugin": {"aws-s3"}, "endpoint": {c.endpoint}, "id": {"aws-s3"}})})
	const path = "org-1/workspace/doc/uppy-s3/big.png"
	if r.Success.Key != path || r.count("part", "") != 8 || r.count("create", "") != 1 || r.count("complete", "") != 1 {
		t.Errorf("upload: got key %q, %d part PUTs, %d creates, %d completes; want %s, 8, 1, 1",
			r.Success.Key, r.count("part", ""), r.count("create", ""), r.count("complete", ""), path)
	}
	wantUploadedOnce(t, a, path, data, true)
	t.Logf("@uppy/aws-s3 on %s: %d MiB in %.0f ms: %.1f MiB/s", store, len(data)/uppyMiB, r.MS, mibPerSecond(len(data), r.MS))
}

// uppyAwsS3Resume: the page is reloaded once 3 parts are up; Golden
// Retriever restores the file, Uppy lists the parts the store holds and
// sends only the others.
func uppyAwsS3Resume(t *testing.T, a *api, b uppyBrowser, file string, data []byte, holdPart bool) {
	c := uppyCapability(a, "uppy-resume")
	start := time.Now()
	r := b.run(t, map[string]any{"flow": "resume", "file": file, "reloadAfter": 3, "throttle": 8 * uppyMiB,
		"hold": holdPart, "url": b.pageURL(url.Values{"plugin": {"aws-s3"}, "endpoint": {c.endpoint}, "id": {"aws-s3-resume"}})})
	const path = "org-1/workspace/doc/uppy-resume/big.png"
	if r.Success.Key != path || r.Restored != 1 || r.InFlight == nil {
		t.Fatalf("resume: got key %q, %d files restored, in flight %v; want %s, 1 restored", r.Success.Key, r.Restored, r.InFlight, path)
	}
	sent, after := r.count("part", ""), r.count("part", "after")
	if r.count("list", "after") != 1 || r.count("create", "after") != 0 || sent > 8+*r.InFlight || after > 8-r.PartsBefore || after == 0 {
		t.Errorf("resume: got %d part PUTs (%d after the reload), %d listings and %d creates after it; "+
			"want one listing, no create and at most 8 + %d in flight PUTs, after the reload the %d missing",
			sent, after, r.count("list", "after"), r.count("create", "after"), *r.InFlight, 8-r.PartsBefore)
	}
	for _, q := range r.Requests {
		if q.Kind == "sign" && q.Phase == "after" && q.Part <= r.PartsBefore {
			t.Errorf("resume: part %d signed again after the reload, though it was up before it", q.Part)
		}
	}
	wantUploadedOnce(t, a, path, data, true)
	t.Logf("@uppy/aws-s3 resume: %d parts up before the reload (%d in flight), %d sent after it; %.0f ms after the reload, %s in all",
		r.PartsBefore, *r.InFlight, after, r.MS, time.Since(start).Round(time.Millisecond))
}

// uppyAwsS3Cancel: cancelAll once a part is up aborts the session (Uppy's
// DELETE): the gateway forgets it, the store holds no upload, and the
// same path takes a new upload (a file Uppy posts whole).
func uppyAwsS3Cancel(t *testing.T, a *api, b uppyBrowser, file string, uploads func(t *testing.T, a *api) []string) {
	c := uppyCapability(a, "uppy-cancel")
	again, small := uppyFile(t, "big.png", 3*uppyMiB)
	r := b.run(t, map[string]any{"flow": "cancel", "file": file, "again": again,
		"url": b.pageURL(url.Values{"plugin": {"aws-s3"}, "endpoint": {c.endpoint}, "id": {"aws-s3-cancel"}})})
	var id string
	for _, q := range r.Requests {
		if q.Kind == "create" {
			id = q.Body.UploadID
		}
	}
	const path = "org-1/workspace/doc/uppy-cancel/big.png"
	if r.AbortStatus != http.StatusOK || id == "" || r.count("abort", "after") != 1 || r.count("complete", "") != 0 {
		t.Fatalf("cancel: got abort %d (%d DELETEs), upload id %q, %d completes; want 200, one DELETE, an id, no complete",
			r.AbortStatus, r.count("abort", "after"), id, r.count("complete", ""))
	}
	want(t, "the cancelled upload's parts", c.do(http.MethodGet, "/multipart/"+url.PathEscape(id)+"?key="+url.QueryEscape(path), nil),
		http.StatusNotFound, "upload_not_found")
	if left := uploads(t, a); len(left) != 0 {
		t.Errorf("store: got uploads in progress %v, want none after the cancel", left)
	}
	if r.Success.Key != path || r.count("form", "again") != 1 {
		t.Errorf("upload after the cancel: got key %q, %d form posts; want %s posted whole", r.Success.Key, r.count("form", "again"), path)
	}
	wantUploadedOnce(t, a, path, small, true)
}

// uppyTusChunk is the page's @uppy/tus chunkSize.
const uppyTusChunk = 5 * uppyMiB

// uppyTus: @uppy/tus uploads 40 MiB in 5 MiB PATCHes with a bearer
// token, then another upload is reloaded after 3 PATCHes and resumes
// from the offset the gateway holds.
func uppyTus(t *testing.T, a *api, b uppyBrowser, file string, data []byte, store string) {
	q := url.Values{"plugin": {"tus"}, "endpoint": {a.URL + "/api/storage/tus/"}, "token": {a.Token("org-1", "member")}}
	q.Set("object_id", "uppy-tus")
	q.Set("id", "tus")
	r := b.run(t, map[string]any{"flow": "upload", "file": file, "url": b.pageURL(q)})
	if r.Success.Key != "org-1/workspace/doc/uppy-tus/big.png" || r.count("patch", "") != 8 {
		t.Errorf("tus upload: got key %q and %d PATCHes, want org-1/workspace/doc/uppy-tus/big.png in 8", r.Success.Key, r.count("patch", ""))
	}
	wantUploadedOnce(t, a, "org-1/workspace/doc/uppy-tus/big.png", data, false)
	t.Logf("@uppy/tus on %s: %d MiB in %.0f ms: %.1f MiB/s", store, len(data)/uppyMiB, r.MS, mibPerSecond(len(data), r.MS))

	q.Set("object_id", "uppy-tus-resume")
	q.Set("id", "tus-resume")
	r = b.run(t, map[string]any{"flow": "resume", "file": file, "reloadAfter": 3, "throttle": 8 * uppyMiB, "url": b.pageURL(q)})
	const path = "org-1/workspace/doc/uppy-tus-resume/big.png"
	var first int64 = -1
	var resent int64
	for _, q := range r.Requests {
		if q.Kind == "patch" && q.Phase == "after" {
			if first < 0 {
				first = q.Offset
			}
			resent += min(q.Offset+uppyTusChunk, int64(len(data))) - q.Offset
		}
	}
	if r.Success.Key != path || r.Restored != 1 || r.count("tus-post", "after") != 0 || r.count("tus-head", "after") != 1 ||
		first < int64(r.PartsBefore)*uppyTusChunk || resent != int64(len(data))-first {
		t.Errorf("tus resume: got key %q, %d restored, %d creates and %d HEADs after the reload, first PATCH at %d, %d bytes sent after; "+
			"want %s, 1, none, one, at least %d, the rest", r.Success.Key, r.Restored, r.count("tus-post", "after"),
			r.count("tus-head", "after"), first, resent, path, int64(r.PartsBefore)*uppyTusChunk)
	}
	wantUploadedOnce(t, a, path, data, false)
	t.Logf("@uppy/tus resume: %d PATCHes up before the reload; resumed at %d, %d bytes sent after it in %.0f ms", r.PartsBefore, first, resent, r.MS)
}
