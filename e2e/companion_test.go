package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// companion drives a capability endpoint exactly as @uppy/aws-s3 6.x's
// Companion client does: no header but Content-Type, the paths and JSON
// shapes of Uppy's Companion server.
type companion struct {
	a        *api
	endpoint string
}

// capability obtains an upload capability for body's target as tok.
func (a *api) capability(tok, body string) companion {
	a.T.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/upload-capabilities", tok, body)
	if r.Status != http.StatusOK {
		a.T.Fatalf("upload-capabilities: got %d %s, want 200", r.Status, r.Body)
	}
	var out struct {
		Endpoint  string `json:"endpoint"`
		ExpiresIn int    `json:"expires_in"`
	}
	r.JSON(a.T, &out)
	if !strings.HasPrefix(out.Endpoint, a.URL+"/api/storage/companion/") || out.ExpiresIn != 600 {
		a.T.Fatalf("capability: got %+v, want an endpoint on %s valid 600 s", out, a.URL)
	}
	return companion{a: a, endpoint: out.Endpoint}
}

func (c companion) do(method, path string, body any) response {
	c.a.T.Helper()
	var rd io.Reader
	var h http.Header
	if body != nil {
		b, _ := json.Marshal(body)
		rd, h = bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}}
	}
	return c.a.Do(method, c.endpoint+"/s3"+path, "", rd, h)
}

type companionUpload struct {
	Key      string `json:"key"`
	UploadID string `json:"uploadId"`
}

func (c companion) create(name string, size int) companionUpload {
	c.a.T.Helper()
	r := c.do(http.MethodPost, "/multipart", map[string]any{"filename": name, "type": "image/png",
		"metadata": map[string]any{"name": name, "type": "image/png", "size": size}})
	if r.Status != http.StatusOK {
		c.a.T.Fatalf("create: got %d %s, want 200", r.Status, r.Body)
	}
	var u companionUpload
	r.JSON(c.a.T, &u)
	return u
}

// putPart signs part n and PUTs body to the URL; it returns the answer.
func (c companion) putPart(u companionUpload, n int, body []byte) response {
	c.a.T.Helper()
	r := c.do(http.MethodGet, fmt.Sprintf("/multipart/%s/%d?%s", url.PathEscape(u.UploadID), n, url.Values{"key": {u.Key}}.Encode()), nil)
	if r.Status != http.StatusOK {
		c.a.T.Fatalf("sign part %d: got %d %s, want 200", n, r.Status, r.Body)
	}
	var signed struct {
		URL     string `json:"url"`
		Expires int    `json:"expires"`
	}
	r.JSON(c.a.T, &signed)
	if signed.URL == "" || signed.Expires <= 0 {
		c.a.T.Fatalf("sign part %d: got %s, want a url and its expiry", n, r.Body)
	}
	return c.a.Do(http.MethodPut, signed.URL, "", bytes.NewReader(body), nil)
}

type companionPart struct {
	PartNumber int    `json:"PartNumber"`
	ETag       string `json:"ETag"`
	Size       int64  `json:"Size"`
}

func (c companion) listParts(u companionUpload) []companionPart {
	c.a.T.Helper()
	r := c.do(http.MethodGet, "/multipart/"+url.PathEscape(u.UploadID)+"?"+url.Values{"key": {u.Key}}.Encode(), nil)
	if r.Status != http.StatusOK {
		c.a.T.Fatalf("list parts: got %d %s, want 200", r.Status, r.Body)
	}
	var parts []companionPart
	r.JSON(c.a.T, &parts)
	return parts
}

func (c companion) complete(u companionUpload, parts []companionPart) response {
	c.a.T.Helper()
	return c.do(http.MethodPost, "/multipart/"+url.PathEscape(u.UploadID)+"/complete?"+url.Values{"key": {u.Key}}.Encode(),
		map[string]any{"parts": parts})
}

// companionStores runs test on local disk and on the S3 server.
func companionStores(t *testing.T, test func(t *testing.T, a *api)) {
	t.Run("local", func(t *testing.T) {
		t.Parallel()
		test(t, newAPI(t, mpEnv))
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		s3 := testS3(t)
		test(t, newAPI(t, s3.SpacesEnv(s3.Endpoint, s3.Bucket(t), mpEnv)))
	})
}

// TestCompanionMultipart uploads 11 MiB the way Uppy does through a
// capability: two parts, a listing read from the store (a reload
// resuming), the last part, complete. The record is the member's, its
// SHA-256 the file's, a signed URL serves the bytes, and every call is
// audited under the member with the capability's id.
func TestCompanionMultipart(t *testing.T) {
	t.Parallel()
	companionStores(t, func(t *testing.T, a *api) {
		member := a.Token("org-1", "member")
		c := a.capability(member, `{"system": "workspace", "object_type": "doc", "object_id": "d1"}`)
		data := pngOf(11 << 20)
		u := c.create("photo one.png", len(data))
		if u.Key != "org-1/workspace/doc/d1/photo_one.png" || u.UploadID == "" {
			t.Fatalf("create: got %+v, want the path in the member's org and an upload id", u)
		}
		const part = 5 << 20 // @uppy/aws-s3's default for an 11 MiB file
		for n := 1; n <= 2; n++ {
			if r := c.putPart(u, n, data[(n-1)*part:n*part]); r.Status != http.StatusOK || r.Header.Get("ETag") == "" {
				t.Fatalf("PUT part %d: got %d %s, want 200 with an ETag", n, r.Status, r.Body)
			}
		}
		parts := c.listParts(u)
		if len(parts) != 2 || parts[0].PartNumber != 1 || parts[1].Size != part || parts[1].ETag == "" {
			t.Fatalf("list parts: got %+v, want parts 1 and 2 of 5 MiB with ETags", parts)
		}
		r := c.putPart(u, 3, data[2*part:])
		parts = append(parts, companionPart{PartNumber: 3, ETag: strings.Trim(r.Header.Get("ETag"), `"`)})
		r = c.complete(u, parts)
		if r.Status != http.StatusOK {
			t.Fatalf("complete: got %d %s, want 200", r.Status, r.Body)
		}
		var done struct {
			Location string `json:"location"`
			Key      string `json:"key"`
			File     record `json:"file"`
		}
		r.JSON(t, &done)
		sum := sha256.Sum256(data)
		if done.Key != u.Key || done.File.SHA256 != hex.EncodeToString(sum[:]) || done.File.UploadedBy != "member-org-1" ||
			done.Location != a.URL+"/api/storage/metadata/"+u.Key {
			t.Errorf("complete: got %+v, want the record of %s with the file's sha256, by member-org-1", done, u.Key)
		}
		wantServed(t, a, member, u.Key, data)

		var actions []string
		for _, e := range a.AuditLog("org-1", "") {
			actions = append(actions, e.ActionType)
			if e.UserID != "member-org-1" || !e.Success {
				t.Errorf("audit %s: got user %q success %v, want member-org-1's success", e.ActionType, e.UserID, e.Success)
			}
			viaCapability := strings.HasPrefix(e.ActionType, "MULTIPART_") || e.ActionType == "UPLOAD"
			if viaCapability && e.Metadata["capability_id"] == nil {
				t.Errorf("audit %s: got metadata %v, want the capability's id", e.ActionType, e.Metadata)
			}
		}
		if got := strings.Join(actions, " "); !strings.Contains(got, "UPLOAD MULTIPART_PART_URLS MULTIPART_LIST_PARTS") {
			t.Errorf("audit (newest first): got %s, want the upload, the last part URL and the listing", got)
		}
	})
}

// wantServed checks, through a signed URL, that path holds data.
func wantServed(t *testing.T, a *api, tok, path string, data []byte) {
	t.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, fmt.Sprintf(`{"file_path": %q}`, path))
	var signed struct {
		URL string `json:"url"`
	}
	r.JSON(t, &signed)
	got := a.Get(signed.URL, "")
	if got.Status != http.StatusOK || sha256.Sum256(got.Body) != sha256.Sum256(data) {
		t.Errorf("signed URL of %s: got %d and %d bytes, want 200 and the %d bytes uploaded", path, got.Status, len(got.Body), len(data))
	}
}

// TestCompanionAbortFreesPath aborts through the capability: the session
// is gone, and the path takes a new upload without overwrite.
func TestCompanionAbortFreesPath(t *testing.T) {
	t.Parallel()
	companionStores(t, func(t *testing.T, a *api) {
		member := a.Token("org-1", "member")
		c := a.capability(member, `{"system": "workspace", "object_type": "doc", "object_id": "d1"}`)
		data := pngOf(6 << 20)
		u := c.create("cancel.png", len(data))
		c.putPart(u, 1, data[:5<<20])
		if r := c.do(http.MethodDelete, "/multipart/"+u.UploadID+"?key="+url.QueryEscape(u.Key), nil); r.Status != http.StatusOK {
			t.Fatalf("abort: got %d %s, want 200", r.Status, r.Body)
		}
		r := c.do(http.MethodGet, "/multipart/"+u.UploadID+"?key="+url.QueryEscape(u.Key), nil)
		want(t, "list parts after abort", r, http.StatusNotFound, "upload_not_found")
		again := c.create("cancel.png", len(data))
		if again.Key != u.Key {
			t.Errorf("a new upload to the freed path: got %s, want %s", again.Key, u.Key)
		}
	})
}

// TestCompanionPartSizeAndRefusals: a part of the wrong size is refused
// naming the size expected (by the local part route, or at complete on
// S3); a forged endpoint, another target's session and a viewer's request
// are refused.
func TestCompanionPartSizeAndRefusals(t *testing.T) {
	t.Parallel()
	companionStores(t, func(t *testing.T, a *api) {
		member := a.Token("org-1", "member")
		c := a.capability(member, `{"system": "workspace", "object_type": "doc", "object_id": "d1", "part_size": 6291456}`)
		data := pngOf(7 << 20)
		u := c.create("sized.png", len(data))
		r := c.putPart(u, 1, data[:5<<20]) // Uppy's default cut, not the capability's 6 MiB
		if r.Status == http.StatusOK {
			last := c.putPart(u, 2, data[5<<20:])
			r = c.complete(u, []companionPart{{PartNumber: 1, ETag: r.Header.Get("ETag")}, {PartNumber: 2, ETag: last.Header.Get("ETag")}})
		}
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "6291456") {
			t.Errorf("a 5 MiB part where 6 MiB is due: got %d %s, want 400 naming 6291456", r.Status, r.Body)
		}

		forged := companion{a: a, endpoint: c.endpoint[:len(c.endpoint)-2] + "xx"}
		r = forged.do(http.MethodPost, "/multipart", map[string]any{"filename": "a.png", "metadata": map[string]any{"size": 10}})
		want(t, "forged capability", r, http.StatusForbidden, "capability_invalid")
		want(t, "forged capability, params", forged.do(http.MethodGet, "/params?filename=a.png", nil), http.StatusForbidden, "capability_invalid")

		other := a.capability(member, `{"system": "workspace", "object_type": "doc", "object_id": "d2"}`)
		r = other.do(http.MethodGet, "/multipart/"+u.UploadID+"?key=x", nil)
		want(t, "another target's session", r, http.StatusNotFound, "upload_not_found")

		r = c.do(http.MethodPost, "/multipart", map[string]any{"filename": "a.png", "type": "image/png", "metadata": map[string]any{}})
		want(t, "no size", r, http.StatusBadRequest, "invalid_size")

		r = a.SendJSON(http.MethodPost, "/api/storage/upload-capabilities", a.Token("org-1", "viewer"),
			`{"system": "workspace", "object_type": "doc", "object_id": "d1"}`)
		want(t, "viewer asks for a capability", r, http.StatusForbidden, "forbidden")
	})
}

// TestCompanionSingleUpload posts a file whole, as Uppy does below its
// multipart threshold: /s3/params, whose key is the path the file gets,
// then the POST-policy form.
func TestCompanionSingleUpload(t *testing.T) {
	t.Parallel()
	companionStores(t, func(t *testing.T, a *api) {
		member := a.Token("org-1", "member")
		c := a.capability(member, `{"system": "workspace", "object_type": "doc", "object_id": "d1", "max_size": 2000}`)
		r := c.do(http.MethodGet, "/params?filename=small.pdf&type=application%2Fpdf&metadata%5Bname%5D=small.pdf", nil)
		var params struct {
			Method string            `json:"method"`
			URL    string            `json:"url"`
			Fields map[string]string `json:"fields"`
		}
		r.JSON(t, &params)
		if params.Method != "POST" || params.Fields["key"] != "org-1/workspace/doc/d1/small.pdf" {
			t.Fatalf("params: got %s, want a POST with the key field the file's path (Uppy reports it as the key)", r.Body)
		}
		post := func(content []byte) response {
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			for k, v := range params.Fields {
				_ = w.WriteField(k, v)
			}
			fw, _ := w.CreateFormFile("file", "blob")
			_, _ = fw.Write(content)
			_ = w.Close()
			return a.Do(http.MethodPost, params.URL, "", &body, http.Header{"Content-Type": {w.FormDataContentType()}})
		}
		r = post(pdfBytes)
		var done struct {
			Key  string `json:"key"`
			File record `json:"file"`
		}
		r.JSON(t, &done)
		if r.Status != http.StatusCreated || done.Key != "org-1/workspace/doc/d1/small.pdf" || done.File.ContentType != "application/pdf" {
			t.Fatalf("form upload: got %d %s, want 201 with the record", r.Status, r.Body)
		}
		wantServed(t, a, member, done.Key, pdfBytes)
		params.Fields["key"] = "named only.pdf" // a key that is a file name, not a path
		r = post(pdfBytes)
		r.JSON(t, &done)
		if r.Status != http.StatusCreated || done.Key != "org-1/workspace/doc/d1/named_only.pdf" {
			t.Errorf("form upload keyed by a name: got %d %s, want 201 with the record", r.Status, r.Body)
		}
		big := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte(" "), 2000)...)
		want(t, "a file over the capability's max_size", post(big), http.StatusRequestEntityTooLarge, "file_too_large")
	})
}
