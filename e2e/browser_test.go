package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/e2e/e2etest"
)

// Sizes of the files the page picks: a real PNG large enough for the XHR
// upload to report its progress several times, and a file of three
// multipart parts of 5 MiB (mpEnv's part size; the last part smaller).
const (
	browserImageSide = 1024         // 1024×1024 noise, uncompressed: 3 MiB of RGB
	browserBigSize   = 12<<20 + 321 // 5 + 5 + 2 MiB and change
)

// TestBrowser runs the native flows in headless Chromium, from a page on
// another loopback origin than the gateway's, as a module's developer
// would, on local disk and on the S3 server (whose bucket carries
// docs/SPACES.md's CORS rule): an XHR upload with progress, a signed URL
// in <img>, <iframe>, fetch() (whole and byte ranges) and <a download>,
// the listing, error answers read cross-origin (401, 404, 413 while the
// browser still sends, 415, a 429's Retry-After), the developer guide's multipart upload and
// offline queue, HEAD and DELETE, and the refusals the browser must make:
// a gateway whose STORAGEGW_CORS_ORIGINS lacks the page's origin, and on
// S3 a bucket whose rule names another origin. One Chromium per store;
// screenshots of each page state go to the test's artefacts directory.
func TestBrowser(t *testing.T) {
	t.Parallel()
	chromium := e2etest.Chromium(t)
	// The guide's examples import the repository's TypeScript client, which
	// needs openapi-fetch.
	modules := e2etest.NPM(t, "e2e/browser", "playwright-core/package.json") + string(os.PathListSeparator) +
		e2etest.NPM(t, "clients/typescript", "openapi-fetch/package.json")
	files := browserFiles(t)

	t.Run("local", func(t *testing.T) {
		runNative(t, chromium, modules, files, "local", func(string) (map[string]string, string) { return nil, "" })
	})
	t.Run("s3", func(t *testing.T) {
		s3 := testS3(t)
		bucket := s3.Bucket(t)
		runNative(t, chromium, modules, files, "s3", func(origin string) (map[string]string, string) {
			cfg := s3.BucketCORS(t, bucket, origin)
			t.Logf("bucket %s: CORS rule of docs/SPACES.md put for %s: %+v", bucket, origin, cfg.CORSRules)
			return s3.SpacesEnv(s3.Endpoint, bucket, nil), foreignObject(t, s3, files)
		})
	})
}

// foreignObject stores the image in a bucket of its own whose CORS rule
// (docs/SPACES.md's) names another origin than the page's, and presigns
// a GET of it.
func foreignObject(t *testing.T, s3 s3Server, files nativeFiles) string {
	t.Helper()
	ctx := context.Background()
	bucket := s3.Bucket(t)
	s3.BucketCORS(t, bucket, "https://app.example.com")
	if _, err := s3.Admin.PutObject(ctx, bucket, "photo.png", bytes.NewReader(files.imageBytes), int64(len(files.imageBytes)),
		minio.PutObjectOptions{ContentType: "image/png"}); err != nil {
		t.Fatal(err)
	}
	u, err := s3.Admin.PresignedGetObject(ctx, bucket, "photo.png", 10*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// nativeFiles are the files the page picks, and their digests.
type nativeFiles struct {
	image, big             string
	imageBytes, bigBytes   []byte
	imageSHA256, bigSHA256 string
}

func browserFiles(t *testing.T) nativeFiles {
	t.Helper()
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, browserImageSide, browserImageSide))
	noise := make([]byte, len(img.Pix))
	_, _ = rand.Read(noise)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = noise[i], noise[i+1], noise[i+2], 0xff
	}
	img.Set(0, 0, color.RGBA{R: 0xff, A: 0xff})
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, browserBigSize)
	_, _ = rand.Read(big)
	f := nativeFiles{image: filepath.Join(dir, "photo.png"), big: filepath.Join(dir, "archive.bin"),
		imageBytes: buf.Bytes(), bigBytes: big}
	for _, w := range []struct {
		path string
		b    []byte
		sum  *string
	}{{f.image, f.imageBytes, &f.imageSHA256}, {f.big, f.bigBytes, &f.bigSHA256}} {
		if err := os.WriteFile(w.path, w.b, 0o644); err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(w.b)
		*w.sum = hex.EncodeToString(s[:])
	}
	return f
}

// nativeResult is what e2e/browser/native.cjs prints.
type nativeResult struct {
	Store     string           `json:"store"`
	UserAgent string           `json:"userAgent"`
	Timings   map[string]int64 `json:"timings"`
	Console   []string         `json:"console"`
	Steps     struct {
		Upload struct {
			Record   *record   `json:"record"`
			Progress []float64 `json:"progress"`
			SHA256   string    `json:"sha256"`
			Size     int64     `json:"size"`
			Error    *jsError  `json:"error"`
		} `json:"upload"`
		Signed struct {
			URL          string `json:"url"`
			Img          string `json:"img"`
			NaturalWidth int    `json:"naturalWidth"`
			Iframe       string `json:"iframe"`
			Frame        *struct {
				URL          string `json:"url"`
				ContentType  string `json:"contentType"`
				NaturalWidth int    `json:"naturalWidth"`
				Error        string `json:"error"`
			} `json:"frame"`
			Fetch  *fetched `json:"fetch"`
			Ranges []struct {
				Range        string   `json:"range"`
				Status       int      `json:"status"`
				ContentRange string   `json:"contentRange"`
				Hex          string   `json:"hex"`
				Error        *jsError `json:"error"`
			} `json:"ranges"`
			Error *jsError `json:"error"`
		} `json:"signed"`
		List struct {
			Status int      `json:"status"`
			Paths  []string `json:"paths"`
			Error  any      `json:"error"`
		} `json:"list"`
		Errors struct {
			NotFound  *errorRead `json:"notFound"`
			BadToken  *errorRead `json:"badToken"`
			WrongType *jsError   `json:"wrongType"`
			TooLarge  *jsError   `json:"tooLarge"`
			Error     *jsError   `json:"error"`
		} `json:"errors"`
		Multipart struct {
			Size     int64     `json:"size"`
			SHA256   string    `json:"sha256"`
			Record   *record   `json:"record"`
			Progress []float64 `json:"progress"`
			ReadBack *struct {
				fetched
				Disposition string `json:"disposition"`
			} `json:"readBack"`
			Error *jsError `json:"error"`
		} `json:"multipart"`
		Offline struct {
			Key    string      `json:"key"`
			First  []syncReply `json:"first"`
			Again  []syncReply `json:"again"`
			Left   int         `json:"left"`
			SHA256 string      `json:"sha256"`
			Error  *jsError    `json:"error"`
		} `json:"offline"`
		Manage struct {
			Head   int `json:"head"`
			Delete struct {
				Status int    `json:"status"`
				Record record `json:"record"`
			} `json:"delete"`
			HeadAfter   int      `json:"headAfter"`
			SignedAfter *jsError `json:"signedAfter"`
			Error       *jsError `json:"error"`
		} `json:"manage"`
		Download *struct {
			Filename string `json:"filename"`
			Failure  any    `json:"failure"`
			SHA256   string `json:"sha256"`
		} `json:"download"`
		Foreign *struct {
			Img          string `json:"img"`
			NaturalWidth int    `json:"naturalWidth"`
			Fetch        struct {
				Readable bool     `json:"readable"`
				Error    *jsError `json:"error"`
			} `json:"fetch"`
		} `json:"foreign"`
		Busy struct {
			Second     *errorRead `json:"second"`
			FirstState int        `json:"firstState"`
			Error      *jsError   `json:"error"`
		} `json:"busy"`
		Blocked struct {
			Status   int      `json:"status"`
			Readable bool     `json:"readable"`
			Error    *jsError `json:"error"`
		} `json:"blocked"`
	} `json:"steps"`
}

type jsError struct {
	Name, Message, Code string
	Status              int
	MS                  int64 `json:"ms"`
}

// syncReply is a SyncResult of the guide's syncQueue.
type syncReply struct {
	Key      string  `json:"key"`
	Status   int     `json:"status"`
	Body     *record `json:"body"`
	Replayed bool    `json:"replayed"`
}

type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

type errorRead struct {
	Status     int    `json:"status"`
	RetryAfter string `json:"retryAfter"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RequestID  string `json:"requestId"`
}

// runNative serves pages/native on its own origin, starts the gateway
// (storeEnv's store, the page's origin allowed, 5 MiB parts) and a second
// one that allows another origin only, runs native.cjs against both, and
// checks what the page saw and what the gateway recorded.
func runNative(t *testing.T, chromium, modules string, files nativeFiles, store string,
	storeEnv func(origin string) (env map[string]string, foreignURL string)) {
	start := time.Now()
	pageDir := t.TempDir()
	src := filepath.Join(e2etest.Root(), "e2e", "browser", "pages", "native")
	for _, name := range []string{"index.html", "native.js"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pageDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	origin := e2etest.PageServer(t, pageDir)
	limits := filepath.Join(t.TempDir(), "limits.yaml")
	if err := os.WriteFile(limits, []byte("limits:\n  workspace/sheet: {max_bytes: 1048576}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"STORAGEGW_CORS_ORIGINS": origin, "STORAGEGW_CONFIG": limits}
	for k, v := range mpEnv {
		env[k] = v
	}
	extra, foreignURL := storeEnv(origin)
	for k, v := range extra {
		env[k] = v
	}
	a := newAPI(t, env)
	blocked := newAPI(t, map[string]string{"STORAGEGW_CORS_ORIGINS": "https://app.example.com"})
	busy := newAPI(t, map[string]string{"STORAGEGW_CORS_ORIGINS": origin, "STORAGEGW_MAX_UPLOADS_PER_ORG": "1",
		"STORAGEGW_RETRY_AFTER": "7s"})
	artifacts := e2etest.Artifacts(t)

	cfg, _ := json.Marshal(map[string]string{"pageDir": pageDir, "origin": origin, "base": a.URL,
		"blockedBase": blocked.URL, "token": a.Token("org-1", "member"),
		"busyBase": busy.URL, "busyToken": busy.Token("org-1", "member"), "org": "org-1", "store": store,
		"image": files.image, "big": files.big, "artifacts": artifacts, "foreignURL": foreignURL})
	cfgPath := filepath.Join(t.TempDir(), "native.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(e2etest.Root(), "e2e", "browser", "native.cjs"), cfgPath)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "CHROMIUM="+chromium)
	// On the deadline, SIGINT: playwright closes Chromium before it exits.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("native.cjs: %v\nstderr: %s\nstdout: %s", err, stderr.String(), stdout.String())
	}
	var res nativeResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("native.cjs printed no JSON result: %v\n%s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	t.Logf("%s: browser flows took %v (driver %d ms: %v); screenshots in %s; %s",
		store, time.Since(start).Round(time.Millisecond), res.Timings["total"], res.Timings, artifacts, res.UserAgent)
	if len(res.Console) > 0 {
		t.Logf("%s: the page's console said: %q", store, res.Console)
	}
	steps := &res.Steps

	// 1. The XHR upload: several progress events, ending at 1, and the 201 record.
	up := steps.Upload
	if up.Record == nil {
		t.Fatalf("upload: no record; error %+v, progress %v", up.Error, up.Progress)
	}
	rec := *up.Record
	if rec.SHA256 != files.imageSHA256 || up.SHA256 != files.imageSHA256 || rec.SizeBytes != int64(len(files.imageBytes)) ||
		rec.ContentType != "image/png" || !strings.HasPrefix(rec.FilePath, "org-1/workspace/doc/browser-"+store+"/") {
		t.Errorf("upload record: got %+v (page sha256 %s), want %d bytes of image/png, sha256 %s, under org-1/workspace/doc/browser-%s/",
			rec, up.SHA256, len(files.imageBytes), files.imageSHA256, store)
	}
	if n := len(up.Progress); n < 3 || up.Progress[n-1] != 1 {
		t.Errorf("upload progress: got %v, want at least 3 events, the last 1", up.Progress)
	}
	for i := 1; i < len(up.Progress); i++ {
		if up.Progress[i] < up.Progress[i-1] {
			t.Errorf("upload progress went back: %v", up.Progress)
			break
		}
	}

	// 2. The signed URL: shown in <img> and <iframe>, fetched byte for byte.
	sg := steps.Signed
	u, err := url.Parse(sg.URL)
	if err != nil {
		t.Fatalf("signed URL: got %q: %v", sg.URL, err)
	}
	if sg.Error != nil {
		t.Errorf("signed URL %s: the page failed: %+v", sg.URL, sg.Error)
	}
	wantHost := strings.TrimPrefix(a.URL, "http://")
	if store == "s3" {
		wantHost = testS3(t).Endpoint
	}
	if u.Host != wantHost {
		t.Errorf("signed URL %s: want it on %s", sg.URL, wantHost)
	}
	if sg.Img != "load" || sg.NaturalWidth != browserImageSide {
		t.Errorf("<img>: got %s, naturalWidth %d; want load, %d", sg.Img, sg.NaturalWidth, browserImageSide)
	}
	if sg.Iframe != "load" || sg.Frame == nil || sg.Frame.URL != sg.URL || sg.Frame.ContentType != "image/png" ||
		sg.Frame.NaturalWidth != browserImageSide {
		t.Errorf("<iframe>: got %s, frame %+v; want the image shown at the signed URL", sg.Iframe, sg.Frame)
	}
	if f := sg.Fetch; f == nil || f.Status != http.StatusOK || f.SHA256 != files.imageSHA256 ||
		f.Bytes != int64(len(files.imageBytes)) || f.Type != "image/png" {
		t.Errorf("fetch(signed URL): got %+v, want 200, image/png, the %d bytes uploaded", f, len(files.imageBytes))
	}

	size := len(files.imageBytes)
	wantRanges := map[string][2]int{"bytes=8-23": {8, 24}, "bytes=-16": {size - 16, size}}
	if len(sg.Ranges) != len(wantRanges) {
		t.Errorf("ranges: got %+v, want %d", sg.Ranges, len(wantRanges))
	}
	for _, r := range sg.Ranges {
		w := wantRanges[r.Range]
		cr := fmt.Sprintf("bytes %d-%d/%d", w[0], w[1]-1, size)
		if r.Status != http.StatusPartialContent || r.ContentRange != cr || r.Hex != hex.EncodeToString(files.imageBytes[w[0]:w[1]]) {
			t.Errorf("fetch(signed URL) with Range: %s: got %+v, want 206, Content-Range %s, those bytes", r.Range, r, cr)
		}
	}

	// 3. The listing shows the file.
	if ls := steps.List; ls.Status != http.StatusOK || len(ls.Paths) != 1 || ls.Paths[0] != rec.FilePath {
		t.Errorf("listing: got %d %v %v, want 200 and [%s]", ls.Status, ls.Paths, ls.Error, rec.FilePath)
	}

	// 4. Error answers: code, message and X-Request-ID readable cross-origin.
	er := steps.Errors
	if er.Error != nil {
		t.Errorf("errors: %+v", er.Error)
	}
	for _, c := range []struct {
		what   string
		got    *errorRead
		status int
		code   string
	}{{"404", er.NotFound, http.StatusNotFound, "not_found"}, {"401", er.BadToken, http.StatusUnauthorized, "token_invalid"}} {
		if c.got == nil || c.got.Status != c.status || c.got.Code != c.code || c.got.Message == "" || c.got.RequestID == "" ||
			c.what == "404" && c.got.RequestID != "page-404-check" {
			t.Errorf("%s read by the page: got %+v, want %d %s with a message and an X-Request-ID", c.what, c.got, c.status, c.code)
		}
	}
	if wt := er.WrongType; wt == nil || wt.Status != http.StatusUnsupportedMediaType || wt.Code != "unsupported_content_type" {
		t.Errorf("a PNG as workspace/pdf through uploadFile: got %+v, want a rejection with status 415, code unsupported_content_type", wt)
	}
	if tl := er.TooLarge; tl == nil || tl.Status != http.StatusRequestEntityTooLarge || tl.Code != "file_too_large" {
		t.Errorf("%d bytes as workspace/sheet (1 MiB allowed) through uploadFile: got %+v, want a rejection with status 413, code file_too_large",
			browserBigSize, tl)
	} else if whole := int64(browserBigSize * 1000 / (2 << 20)); tl.MS >= whole {
		t.Errorf("413 read after %d ms: the whole file takes %d ms at the page's 2 MiB/s; want the answer while it is sent", tl.MS, whole)
	}

	// 5. The guide's multipart upload, and its bytes read back.
	mp := steps.Multipart
	if mp.Record == nil {
		t.Fatalf("multipart: no record; error %+v, progress %v", mp.Error, mp.Progress)
	}
	if mp.Record.SHA256 != files.bigSHA256 || mp.SHA256 != files.bigSHA256 || mp.Record.SizeBytes != browserBigSize ||
		!strings.HasPrefix(mp.Record.FilePath, "org-1/communications/email-attachment/browser-mp-"+store+"/") {
		t.Errorf("multipart record: got %+v (page sha256 %s), want %d bytes, sha256 %s", *mp.Record, mp.SHA256, browserBigSize, files.bigSHA256)
	}
	if n := len(mp.Progress); n != 3 || mp.Progress[n-1] != 1 {
		t.Errorf("multipart progress: got %v, want one per part (3), the last 1", mp.Progress)
	}
	if rb := mp.ReadBack; rb == nil || rb.Status != http.StatusOK || rb.SHA256 != files.bigSHA256 ||
		!strings.HasPrefix(rb.Disposition, "attachment") {
		t.Errorf("multipart read back through a signed URL: got %+v, want 200, attachment, sha256 %s", rb, files.bigSHA256)
	}

	// 6. The guide's offline queue: synced once, then replayed under its key.
	of := steps.Offline
	if of.Error != nil || len(of.First) != 1 || len(of.Again) != 1 || of.Left != 0 {
		t.Fatalf("offline queue: got %+v, want one answer per sync and an empty queue", of)
	}
	first, again := of.First[0], of.Again[0]
	head := sha256.Sum256(files.imageBytes[:64<<10])
	if first.Status != http.StatusCreated || first.Replayed || first.Body == nil || of.SHA256 != hex.EncodeToString(head[:]) ||
		first.Body.SHA256 != of.SHA256 {
		t.Errorf("offline queue, first sync: got %+v, want 201, not replayed, the queued bytes", first)
	}
	if again.Status != http.StatusCreated || !again.Replayed || again.Body == nil || first.Body == nil ||
		again.Body.FilePath != first.Body.FilePath || again.Key != of.Key {
		t.Errorf("offline queue, same key again: got %+v, want the first answer replayed (Idempotent-Replayed read cross-origin)", again)
	}

	// HEAD, DELETE, HEAD, and no signed URL for the deleted file.
	mg := steps.Manage
	if mg.Error != nil || mg.Head != http.StatusOK || mg.Delete.Status != http.StatusOK || !mg.Delete.Record.Deleted ||
		mg.HeadAfter != http.StatusNotFound || mg.SignedAfter == nil || mg.SignedAfter.Status != http.StatusNotFound {
		t.Errorf("HEAD, DELETE, HEAD, signed URL: got %+v, want 200, 200 deleted, 404, a 404 rejection", mg)
	}

	// A click on <a download> of the multipart file's attachment URL.
	if dl := steps.Download; dl == nil || dl.Filename != "archive.bin" || dl.Failure != nil || dl.SHA256 != files.bigSHA256 {
		t.Errorf("<a download>: got %+v, want archive.bin, sha256 %s", dl, files.bigSHA256)
	}

	// A second upload while the org's one slot is taken: 429, Retry-After
	// readable, while the first is still being sent.
	if bz := steps.Busy; bz.Error != nil || bz.Second == nil || bz.Second.Status != http.StatusTooManyRequests ||
		bz.Second.Code != "too_many_uploads" || bz.Second.RetryAfter != "7" || bz.Second.RequestID == "" || bz.FirstState == 4 {
		t.Errorf("upload while the slot is taken: got %+v (second %+v), want 429 too_many_uploads, Retry-After 7, the first still sending",
			bz, bz.Second)
	}

	// 7. The gateway that does not allow the page's origin: the browser
	// refuses the page its answer, and the call never reaches the route.
	if bl := steps.Blocked; bl.Readable || bl.Error == nil || bl.Error.Name != "TypeError" {
		t.Errorf("call to a gateway allowing another origin: got %+v, want fetch to reject with a TypeError", bl)
	}
	if got := blocked.AuditLog("org-1", "action_type=LIST"); len(got) != 0 {
		t.Errorf("the refused origin's call reached the route: %+v", got)
	}

	// 8. On S3, a bucket whose rule names another origin: <img> shows its
	// presigned URL (no CORS needed), fetch() is refused the answer.
	if foreignURL != "" {
		if fo := steps.Foreign; fo == nil || fo.Img != "load" || fo.NaturalWidth != browserImageSide ||
			fo.Fetch.Readable || fo.Fetch.Error == nil || fo.Fetch.Error.Name != "TypeError" {
			t.Errorf("bucket with a rule for another origin: got %+v, want the <img> shown and fetch() rejected with a TypeError", fo)
		}
	}

	// The gateway's side: the records, and the audit trail of the browser's calls.
	for _, r := range []record{rec, *mp.Record} {
		var got record
		m := a.Get("/api/storage/metadata/"+r.FilePath, a.Token("org-1", "member"))
		m.JSON(t, &got)
		if m.Status != http.StatusOK || got.SHA256 != r.SHA256 || got.UploadedBy != "member-org-1" {
			t.Errorf("metadata of %s: got %d %+v", r.FilePath, m.Status, got)
		}
	}
	for _, w := range []struct {
		action, path string
		success      bool
	}{
		{"UPLOAD", rec.FilePath, true},
		{"SIGNED_URL_GENERATED", rec.FilePath, true},
		{"LIST", "", true},
		{"UPLOAD", "", false}, // the PNG refused as a PDF
		{"MULTIPART_INITIATE", mp.Record.FilePath, true},
		{"UPLOAD", mp.Record.FilePath, true},
		{"SIGNED_URL_GENERATED", mp.Record.FilePath, true},
		{"DELETE", mg.Delete.Record.FilePath, true},
	} {
		found := false
		for _, ev := range a.AuditLog("org-1", "action_type="+w.action) {
			if (w.path == "" || ev.FilePath == w.path) && ev.Success == w.success && strings.Contains(ev.UserAgent, "Chrome") {
				found = true
			}
		}
		if !found {
			t.Errorf("audit: no %s event (path %q, success %v) from Chromium", w.action, w.path, w.success)
		}
	}
}
