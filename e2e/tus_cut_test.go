package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// cutPatch sends a PATCH declaring the whole of body but drops the
// connection after sent of its bytes, as a client that lost its network
// does.
func cutPatch(t *testing.T, a *api, tok, loc string, offset int, body []byte, sent int) {
	t.Helper()
	u, _ := url.Parse(a.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
		"Upload-Offset: %d\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n",
		loc, u.Host, tok, offset, len(body))
	if _, err := conn.Write(body[:sent]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the server read what was sent
}

// TestTusPatchCutMidChunk: a PATCH of 8 MiB cut after 6 MiB keeps the
// whole part it stored (5 MiB) and nothing of the rest; HEAD says so once
// the server has seen the break, the upload resumes from there and the
// file's sha256 is the bytes'. The events are the rules': one TUS_PATCH
// (interrupted, 5 MiB stored) for the cut request, one UPLOAD for the
// resumed one, no other change. On local disk and on the S3 server.
func TestTusPatchCutMidChunk(t *testing.T) {
	t.Parallel()
	test := func(t *testing.T, a *api) {
		member := a.Token("org-1", "member")
		data := make([]byte, 12<<20)
		_, _ = rand.Read(data)
		copy(data, "%PDF-1.7\n")
		sum := sha256.Sum256(data)
		path := "org-1/workspace/pdf/cut-1/c.pdf"
		loc := a.tusCreate(member, len(data), tusMeta("system", "workspace", "object_type", "pdf", "object_id", "cut-1", "filename", "c.pdf"))

		cutPatch(t, a, member, loc, 0, data[:8<<20], 6<<20)
		offset := -1
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			r := a.Do(http.MethodHead, loc, member, nil, tusHeader())
			if r.Status != http.StatusOK {
				t.Fatalf("HEAD after the cut: got %d %s", r.Status, r.Body)
			}
			if offset = int(jsonAtoi(r.Header.Get("Upload-Offset"))); offset != 0 {
				break
			}
		}
		if offset != 5<<20 {
			t.Fatalf("offset after 6 MiB of an 8 MiB PATCH: got %d, want %d (the whole part kept, the broken rest not)", offset, 5<<20)
		}
		// The cut PATCH may still be giving its lease back: retry a lock.
		var r response
		for range 50 {
			if r = a.tusPatch(member, loc, offset, data[offset:]); r.Code() != "upload_locked" {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if r.Status != http.StatusNoContent || r.Header.Get("Storage-File-Path") != path {
			t.Fatalf("resumed PATCH: got %d %v %s, want 204 with Storage-File-Path", r.Status, r.Header, r.Body)
		}
		var rec record
		a.Get("/api/storage/metadata/"+path, member).JSON(t, &rec)
		if rec.SHA256 != hex.EncodeToString(sum[:]) || rec.SizeBytes != int64(len(data)) {
			t.Fatalf("record: got %+v, want sha256 %x of %d bytes", rec, sum, len(data))
		}
		link := a.signURL(member, `{"file_path": "`+path+`"}`)
		if dl := a.Do(http.MethodGet, link.URL, "", nil, nil); dl.Status != http.StatusOK || !bytes.Equal(dl.Body, data) {
			t.Fatalf("download: got %d, %d bytes, want the %d sent", dl.Status, len(dl.Body), len(data))
		}
		count := map[string]int{}
		var patch auditItem
		for _, e := range a.AuditLog("org-1", "file_path="+path) {
			switch e.ActionType {
			case "TUS_STATUS", "VIEW", "SIGNED_URL_GENERATED", "DOWNLOAD": // the test's reads
			default:
				count[e.ActionType+" "+strconv.FormatBool(e.Success)]++
			}
			if e.ActionType == "TUS_PATCH" {
				patch = e
			}
		}
		if fmt.Sprint(count) != "map[MULTIPART_INITIATE true:1 TUS_PATCH true:1 UPLOAD true:1]" {
			t.Fatalf("events but reads': got %v, want one MULTIPART_INITIATE, one TUS_PATCH, one UPLOAD", count)
		}
		if patch.Metadata["interrupted"] != true || patch.Metadata["bytes_stored"] != float64(5<<20) {
			t.Errorf("TUS_PATCH of the cut request: metadata %v, want interrupted, bytes_stored %d", patch.Metadata, 5<<20)
		}
	}
	t.Run("local disk", func(t *testing.T) {
		t.Parallel()
		test(t, newAPI(t, nil))
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		s3 := testS3(t)
		test(t, newAPI(t, s3.SpacesEnv(s3.Endpoint, s3.Bucket(t), nil)))
	})
}
