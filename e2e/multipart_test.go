package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// session is the answer of POST /multipart/initiate.
type session struct {
	UploadID  string `json:"upload_id"`
	FilePath  string `json:"file_path"`
	Size      int64  `json:"size"`
	PartSize  int64  `json:"part_size"`
	PartCount int    `json:"part_count"`
	ExpiresAt string `json:"expires_at"`
}

type partURL struct {
	PartNumber int    `json:"part_number"`
	URL        string `json:"url"`
	Size       int64  `json:"size"`
	ExpiresAt  string `json:"expires_at"`
}

type sentPart struct {
	PartNumber int    `json:"part_number"`
	ETag       string `json:"etag"`
}

// mpEnv makes parts of 5 MiB, so that a few MiB make several parts.
var mpEnv = map[string]string{"STORAGEGW_MULTIPART_PART_SIZE_MIB": "5"}

// initiate starts an upload of size bytes and checks the 201.
func (a *api) initiate(tok, fields string, size int) session {
	a.T.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", tok, fmt.Sprintf(`{%s, "size": %d}`, fields, size))
	if r.Status != http.StatusCreated {
		a.T.Fatalf("initiate: got %d %s", r.Status, r.Body)
	}
	var s session
	r.JSON(a.T, &s)
	return s
}

// partURLs asks for the URLs of every part of s, as a range.
func (a *api) partURLs(tok string, s session) []partURL {
	a.T.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/multipart/parts", tok,
		fmt.Sprintf(`{"upload_id": %q, "from": 1, "to": %d}`, s.UploadID, s.PartCount))
	if r.Status != http.StatusOK {
		a.T.Fatalf("part URLs: got %d %s", r.Status, r.Body)
	}
	var out struct{ Parts []partURL }
	r.JSON(a.T, &out)
	return out.Parts
}

// putParts PUTs data's parts to their URLs with plain net/http, no token,
// and returns them with the ETags answered.
func (a *api) putParts(urls []partURL, partSize int64, data []byte) []sentPart {
	a.T.Helper()
	sent := make([]sentPart, len(urls))
	for i, u := range urls {
		start := int64(u.PartNumber-1) * partSize
		r := a.Do(http.MethodPut, u.URL, "", bytes.NewReader(data[start:start+u.Size]), nil)
		if r.Status != http.StatusOK || r.Header.Get("ETag") == "" {
			a.T.Fatalf("PUT part %d: got %d %s, want 200 with an ETag", u.PartNumber, r.Status, r.Body)
		}
		sent[i] = sentPart{PartNumber: u.PartNumber, ETag: r.Header.Get("ETag")}
	}
	return sent
}

// complete posts the part list of upload id.
func (a *api) complete(tok, id string, parts []sentPart) response {
	a.T.Helper()
	b, _ := json.Marshal(map[string]any{"upload_id": id, "parts": parts})
	return a.SendJSON(http.MethodPost, "/api/storage/multipart/complete", tok, string(b))
}

// uploadInParts runs a whole multipart upload and returns the record.
func (a *api) uploadInParts(tok, fields string, data []byte) record {
	a.T.Helper()
	s := a.initiate(tok, fields, len(data))
	r := a.complete(tok, s.UploadID, a.putParts(a.partURLs(tok, s), s.PartSize, data))
	if r.Status != http.StatusCreated {
		a.T.Fatalf("complete: got %d %s", r.Status, r.Body)
	}
	var rec record
	r.JSON(a.T, &rec)
	return rec
}

// TestMultipartEndToEnd uploads 12 MiB in three parts through the real
// wire graph on local disk, then reads it back: metadata, a signed URL and
// the downloaded bytes all match.
func TestMultipartEndToEnd(t *testing.T) {
	t.Parallel()
	a := newAPI(t, mpEnv)
	member := a.Token("org-1", "member")
	data := pngOf(12 << 20)
	s := a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "Big Scan.png", "content_type": "image/png"`, len(data))
	if s.FilePath != "org-1/workspace/doc/d1/Big_Scan.png" || s.PartSize != 5<<20 || s.PartCount != 3 || s.UploadID == "" || s.ExpiresAt == "" {
		t.Fatalf("session: got %+v, want 3 parts of 5 MiB at org-1/workspace/doc/d1/Big_Scan.png", s)
	}
	urls := a.partURLs(member, s)
	for _, u := range urls {
		if !strings.HasPrefix(u.URL, a.URL+"/api/storage/multipart/part?") {
			t.Fatalf("part URL %q: want one served by the service on local disk", u.URL)
		}
	}
	r := a.complete(member, s.UploadID, a.putParts(urls, s.PartSize, data))
	if r.Status != http.StatusCreated {
		t.Fatalf("complete: got %d %s", r.Status, r.Body)
	}
	var rec record
	r.JSON(t, &rec)
	sum := sha256.Sum256(data)
	if rec.FilePath != s.FilePath || rec.SizeBytes != int64(len(data)) || rec.ContentType != "image/png" ||
		rec.SHA256 != hex.EncodeToString(sum[:]) || rec.UploadedBy != "member-org-1" || rec.OriginalFilename != "Big Scan.png" {
		t.Errorf("record: got %+v", rec)
	}
	var meta record
	a.Get("/api/storage/metadata/"+rec.FilePath, member).JSON(t, &meta)
	if meta != rec {
		t.Errorf("metadata: got %+v, want %+v", meta, rec)
	}
	var signed struct{ URL string }
	a.SendJSON(http.MethodPost, "/api/storage/signed-url", member, `{"file_path": "`+rec.FilePath+`"}`).JSON(t, &signed)
	if got := a.Get(signed.URL, ""); got.Status != http.StatusOK || !bytes.Equal(got.Body, data) {
		t.Errorf("download: got %d and %d bytes, want the %d uploaded", got.Status, len(got.Body), len(data))
	}
	var actions []string
	for _, e := range a.AuditLog("org-1", "file_path="+rec.FilePath) {
		actions = append([]string{e.ActionType}, actions...)
	}
	if got := strings.Join(actions, ","); !strings.HasPrefix(got, "MULTIPART_INITIATE,MULTIPART_PART_URLS,UPLOAD") {
		t.Errorf("audit: got %s, want MULTIPART_INITIATE, MULTIPART_PART_URLS, UPLOAD first", got)
	}
	want(t, "complete again", a.complete(member, s.UploadID, nil), http.StatusNotFound, "upload_not_found")
}
