package e2e

import (
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/application"
)

// quotaStore is one environment the quota tests run on: the real wire
// graph on SQLite and local disk, or on PostgreSQL and the S3 server.
type quotaStore struct {
	name string
	// env returns the settings of the store (fresh database and bucket);
	// blobs counts what a gateway on them holds in the store.
	env func(t *testing.T) (map[string]string, func(t *testing.T, a *api) int)
}

var quotaStores = []quotaStore{
	{"sqlite-local", func(t *testing.T) (map[string]string, func(*testing.T, *api) int) {
		return map[string]string{}, func(t *testing.T, a *api) int {
			n := 0
			err := filepath.WalkDir(a.Cfg.BlobRoot(), func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					n++
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}},
	{"postgres-s3", func(t *testing.T) (map[string]string, func(*testing.T, *api) int) {
		pg := postgresEnv(t)
		s3 := testS3(t)
		bucket := s3.Bucket(t)
		return s3.SpacesEnv(s3.Endpoint, bucket, pg), func(t *testing.T, _ *api) int { return len(s3.Keys(t, bucket)) }
	}},
}

// with is env plus more settings.
func with(env map[string]string, kv ...string) map[string]string {
	out := maps.Clone(env)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

type usageAnswer struct {
	OrgID    string `json:"org_id"`
	Bytes    int64  `json:"bytes"`
	Files    int64  `json:"files"`
	InFlight struct {
		Bytes int64 `json:"bytes"`
		Files int64 `json:"files"`
	} `json:"in_flight"`
	Quota struct {
		Bytes *int64 `json:"bytes"`
		Files *int64 `json:"files"`
	} `json:"quota"`
	Items []struct {
		System     string `json:"system"`
		ObjectType string `json:"object_type"`
		Bytes      int64  `json:"bytes"`
		Files      int64  `json:"files"`
	} `json:"items"`
}

func (a *api) usage(t *testing.T, org string) usageAnswer {
	t.Helper()
	r := a.Get("/api/storage/usage", a.Token(org, "auditor"))
	want(t, "usage", r, http.StatusOK, "")
	var u usageAnswer
	r.JSON(t, &u)
	return u
}

// requireRecount fails unless the kept usage of every org equals a recount
// of the records.
func requireRecount(t *testing.T, a *api) {
	t.Helper()
	drift, err := a.Svc.App.RecountUsage.Handle(t.Context(), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != 0 {
		t.Errorf("kept usage drifted from the recount: %+v", drift)
	}
}

func uploadDoc(a *api, org, objectID, name string, content []byte, overwrite bool) response {
	return uploadDocAs(a, "member", org, objectID, name, content, overwrite)
}

func uploadDocAs(a *api, role, org, objectID, name string, content []byte, overwrite bool) response {
	fields := [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", objectID}}
	if overwrite {
		fields = append(fields, [2]string{"overwrite", "true"})
	}
	return a.Upload("/api/storage/upload", a.Token(org, role), fields, name, content)
}

// TestQuotaAtQuota: an org at its quota gets 413 quota_exceeded and
// nothing is stored (no record, no blob, one failed UPLOAD event), for a
// declared size (Content-Length, multipart, TUS), a chunked body, and the
// file count; GET /api/storage/usage reports the usage and the quota.
func TestQuotaAtQuota(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			// Docs keep no versions here, so an overwrite frees what it
			// replaces (TestQuotaCountsVersions: versions count).
			a := newAPI(t, with(env, "STORAGEGW_QUOTA_BYTES", "100KiB", "STORAGEGW_QUOTA_OVERRIDES", "org-2=1MiB/2,org-3=5KiB",
				"STORAGEGW_UNVERSIONED_KINDS", "workspace/doc"))
			hdr := len(pngOf(0))
			want(t, "fill org-1", uploadDoc(a, "org-1", "d1", "a.png", pngOf(60<<10-hdr), false), http.StatusCreated, "")
			want(t, "fill org-1", uploadDoc(a, "org-1", "d2", "b.png", pngOf(40<<10-hdr), false), http.StatusCreated, "")
			held := blobs(t, a)

			r := uploadDoc(a, "org-1", "d3", "c.png", pngOf(100), false)
			want(t, "upload at quota", r, http.StatusRequestEntityTooLarge, "quota_exceeded")
			if msg := string(r.Body); !strings.Contains(msg, "org-1") || !strings.Contains(msg, "100 KiB quota") ||
				!strings.Contains(msg, "used 100 KiB, 2 files") {
				t.Errorf("message %s does not name the quota and the usage", msg)
			}
			// A chunked body (no declared size) reserves at least a byte.
			r = uploadChunked(a, "org-1", "d4", "d.png", pngOf(10<<10))
			want(t, "chunked upload at quota", r, http.StatusRequestEntityTooLarge, "quota_exceeded")
			r = a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", a.Token("org-1", "member"),
				`{"system":"workspace","object_type":"doc","object_id":"d5","filename":"e.pdf","size":10485760,"content_type":"application/pdf"}`)
			want(t, "multipart initiate at quota", r, http.StatusRequestEntityTooLarge, "quota_exceeded")
			r = a.Do(http.MethodPost, "/api/storage/tus/", a.Token("org-1", "member"), nil, http.Header{
				"Tus-Resumable": {"1.0.0"}, "Upload-Length": {"1000"},
				"Upload-Metadata": {"system d29ya3NwYWNl,object_type ZG9j,object_id ZDY=,filename Zi5wbmc="}})
			want(t, "TUS creation at quota", r, http.StatusRequestEntityTooLarge, "quota_exceeded")

			for _, p := range []string{"d3/c.png", "d4/d.png", "d5/e.pdf", "d6/f.png"} {
				want(t, "no record of "+p, a.Get("/api/storage/metadata/org-1/workspace/doc/"+p, a.Token("org-1", "admin")),
					http.StatusNotFound, "not_found")
			}
			if got := blobs(t, a); got != held {
				t.Errorf("blobs after the refusals: got %d, want %d", got, held)
			}
			failed := 0
			for _, ev := range a.AuditLog("org-1", "action_type=UPLOAD&success=false") {
				if ev.FilePath == "org-1/workspace/doc/d3/c.png" && ev.ErrorMessage != nil && strings.Contains(*ev.ErrorMessage, "quota") {
					failed++
				}
			}
			if failed != 1 {
				t.Errorf("failed UPLOAD events of c.png: got %d, want 1", failed)
			}

			// An overwrite that does not grow fits; deleting frees only once purged or hard-deleted.
			want(t, "overwrite same size", uploadDoc(a, "org-1", "d2", "b.png", pngOf(40<<10-hdr), true), http.StatusCreated, "")
			want(t, "soft delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "member"),
				`{"file_path":"org-1/workspace/doc/d2/b.png"}`), http.StatusOK, "")
			want(t, "soft-deleted files count", uploadDoc(a, "org-1", "d3", "c.png", pngOf(100-hdr), false),
				http.StatusRequestEntityTooLarge, "quota_exceeded")
			want(t, "hard delete", a.SendJSON(http.MethodDelete, "/api/storage/delete", a.Token("org-1", "admin"),
				`{"file_path":"org-1/workspace/doc/d2/b.png","hard":true}`), http.StatusOK, "")
			want(t, "fits again", uploadDoc(a, "org-1", "d3", "c.png", pngOf(100-hdr), false), http.StatusCreated, "")

			u := a.usage(t, "org-1")
			if u.Bytes != 60<<10+100 || u.Files != 2 || u.InFlight.Bytes != 0 || u.InFlight.Files != 0 || u.Quota.Bytes == nil || *u.Quota.Bytes != 100<<10 || u.Quota.Files != nil ||
				len(u.Items) != 1 || u.Items[0].System != "workspace" || u.Items[0].ObjectType != "doc" || u.Items[0].Bytes != u.Bytes {
				t.Errorf("usage of org-1: got %+v", u)
			}
			want(t, "usage as a member", a.Get("/api/storage/usage", a.Token("org-1", "member")), http.StatusForbidden, "forbidden")

			// The override counts files.
			want(t, "org-2 first", uploadDoc(a, "org-2", "d1", "a.png", pngOf(100), false), http.StatusCreated, "")
			want(t, "org-2 second", uploadDoc(a, "org-2", "d2", "a.png", pngOf(100), false), http.StatusCreated, "")
			r = uploadDoc(a, "org-2", "d3", "a.png", pngOf(100), false)
			want(t, "org-2 third", r, http.StatusRequestEntityTooLarge, "quota_exceeded")
			if !strings.Contains(string(r.Body), "over its quota of 2 files") {
				t.Errorf("message %s does not name the file quota", r.Body)
			}
			// A chunked body larger than what is left is cut while streaming.
			held = blobs(t, a)
			r = uploadChunked(a, "org-3", "d1", "a.png", pngOf(6<<10))
			want(t, "chunked upload over the quota", r, http.StatusRequestEntityTooLarge, "quota_exceeded")
			want(t, "no record of the chunked upload", a.Get("/api/storage/metadata/org-3/workspace/doc/d1/a.png", a.Token("org-3", "admin")),
				http.StatusNotFound, "not_found")
			if got := blobs(t, a); got != held {
				t.Errorf("blobs after the cut upload: got %d, want %d", got, held)
			}
			want(t, "chunked upload within the quota", uploadChunked(a, "org-3", "d1", "a.png", pngOf(5<<10-len(pngOf(0)))), http.StatusCreated, "")
			requireRecount(t, a)
		})
	}
}

// uploadChunked uploads content as a workspace doc with a chunked body: no
// Content-Length, so no declared size.
func uploadChunked(a *api, org, objectID, name string, content []byte) response {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, f := range [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", objectID}} {
			_ = mw.WriteField(f[0], f[1])
		}
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(content)
		pw.CloseWithError(mw.Close())
	}()
	return a.Do(http.MethodPost, "/api/storage/upload", a.Token(org, "member"), pr,
		http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestQuotaConcurrentUploads: uploads racing near the quota, half through
// each of two gateways on one database, never take the org over it.
func TestQuotaConcurrentUploads(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, _ := st.env(t)
			body := pngOf(64 << 10)
			size := int64(len(body))
			quota := 5*size + size/2
			env = with(env, "STORAGEGW_QUOTA_BYTES", fmt.Sprint(quota))
			gws := []*api{newAPI(t, env)}
			if st.name != "sqlite-local" { // two replicas need a shared database and store
				gws = append(gws, newAPI(t, env))
			}
			const n = 16
			var wg sync.WaitGroup
			statuses := make([]response, n)
			for i := range n {
				wg.Go(func() {
					statuses[i] = uploadDoc(gws[i%len(gws)], "org-1", fmt.Sprintf("d%d", i), "a.png", body, false)
				})
			}
			wg.Wait()
			ok := 0
			for i, r := range statuses {
				switch {
				case r.Status == http.StatusCreated:
					ok++
				case r.Status != http.StatusRequestEntityTooLarge || r.Code() != "quota_exceeded":
					t.Errorf("upload %d: got %d %s, want 201 or 413 quota_exceeded", i, r.Status, r.Body)
				}
			}
			u := gws[0].usage(t, "org-1")
			if u.Bytes > quota || u.Bytes != int64(ok)*size || u.Files != int64(ok) {
				t.Errorf("usage after %d stored uploads: got %+v, want %d bytes within the quota of %d", ok, u, int64(ok)*size, quota)
			}
			if ok != 5 {
				t.Errorf("stored uploads: got %d, want 5 (of %d racing, %d bytes each, quota %d)", ok, n, size, quota)
			}
			requireRecount(t, gws[0])
		})
	}
}

// TestUsageMatchesRecount: after a mix of concurrent uploads, overwrites,
// soft and hard deletes and a purge, through two gateways on one
// PostgreSQL (one on SQLite), the kept usage equals a recount.
func TestUsageMatchesRecount(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			gws := []*api{newAPI(t, env)}
			if st.name != "sqlite-local" {
				gws = append(gws, newAPI(t, env))
			}
			const workers = 8
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					gw := gws[w%len(gws)]
					org := fmt.Sprintf("org-%d", w%2)
					for i := range 6 {
						obj := fmt.Sprintf("d%d", (w*7+i)%5) // shared paths: overwrites race
						// As an admin, who may replace a soft-deleted file too.
						r := uploadDocAs(gw, "admin", org, obj, "a.png", pngOf(1000+w*100+i), true)
						if r.Status != http.StatusCreated && r.Code() != "upload_in_progress" && r.Code() != "upload_superseded" {
							t.Errorf("upload: got %d %s", r.Status, r.Body)
						}
						fp := fmt.Sprintf(`{"file_path":"%s/workspace/doc/%s/a.png"}`, org, obj)
						switch i % 3 {
						case 1:
							gw.SendJSON(http.MethodDelete, "/api/storage/delete", gw.Token(org, "member"), fp)
						case 2:
							gw.SendJSON(http.MethodDelete, "/api/storage/delete", gw.Token(org, "admin"),
								strings.TrimSuffix(fp, "}")+`,"hard":true}`)
						}
					}
				})
			}
			wg.Wait()
			time.Sleep(2 * time.Millisecond)
			rep, err := gws[0].Svc.App.Purge.Run(t.Context(), application.PurgeCommand{OlderThan: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			requireRecount(t, gws[0])
			var files int64
			for _, org := range []string{"org-0", "org-1"} {
				files += gws[len(gws)-1].usage(t, org).Files
			}
			if got := blobs(t, gws[0]); int64(got) != files {
				t.Errorf("blobs in the store: got %d, want the %d files the usage counts", got, files)
			}
			t.Logf("%s: %d purged, %d files held", st.name, rep.Purged, files)
		})
	}
}

// TestQuotaCountsVersions: with versions kept (the default), the content
// an overwrite replaces still counts, so an overwrite of the same size
// does not fit an org at its quota (413 quota_exceeded, nothing stored);
// once the version is purged it fits again, and the usage equals a
// recount throughout.
func TestQuotaCountsVersions(t *testing.T) {
	t.Parallel()
	for _, st := range quotaStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			env, blobs := st.env(t)
			a := newAPI(t, with(env, "STORAGEGW_QUOTA_BYTES", "100KiB"))
			hdr := len(pngOf(0))
			want(t, "a file", uploadDoc(a, "org-1", "d1", "a.png", pngOf(40<<10-hdr), false), http.StatusCreated, "")
			want(t, "overwrite: 80 KiB with the version", uploadDoc(a, "org-1", "d1", "a.png", pngOf(40<<10-hdr), true), http.StatusCreated, "")
			if u := a.usage(t, "org-1"); u.Bytes != 80<<10 || u.Files != 2 {
				t.Errorf("usage with a version: got %d bytes, %d files, want 80 KiB and 2", u.Bytes, u.Files)
			}
			held := blobs(t, a)
			want(t, "overwrite past the quota", uploadDoc(a, "org-1", "d1", "a.png", pngOf(40<<10-hdr), true),
				http.StatusRequestEntityTooLarge, "quota_exceeded")
			if got := blobs(t, a); got != held {
				t.Errorf("blobs after the refusal: got %d, want %d", got, held)
			}
			requireRecount(t, a)
			rep, err := a.Svc.App.Purge.Run(t.Context(), application.PurgeCommand{OrgID: "org-1", VersionsOlderThan: time.Nanosecond})
			if err != nil || rep.VersionsPurged != 1 {
				t.Fatalf("purge of the version: %+v, %v", rep, err)
			}
			requireRecount(t, a)
			want(t, "overwrite once the version is purged", uploadDoc(a, "org-1", "d1", "a.png", pngOf(40<<10-hdr), true), http.StatusCreated, "")
			requireRecount(t, a)
		})
	}
}
