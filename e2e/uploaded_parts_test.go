package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestUploadedPartsResume proposes a part size, sends one part, and
// resumes as another device would, from the listing the store holds:
// only the missing part is sent and the upload completes. A proposal
// outside the rule is refused naming the sizes allowed.
func TestUploadedPartsResume(t *testing.T) {
	t.Parallel()
	companionStores(t, func(t *testing.T, a *api) {
		member := a.Token("org-1", "member")
		data := pngOf(10 << 20)
		s := a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "r.png", "part_size": 6291456`, len(data))
		if s.PartSize != 6<<20 || s.PartCount != 2 {
			t.Fatalf("initiate with part_size: got %+v, want 2 parts of 6 MiB", s)
		}
		urls := a.partURLs(member, s)
		first := a.putParts(urls[:1], s.PartSize, data)

		r := a.Get("/api/storage/multipart/uploaded-parts?upload_id="+s.UploadID, member)
		var listed struct {
			UploadID string `json:"upload_id"`
			PartSize int64  `json:"part_size"`
			Parts    []struct {
				PartNumber int    `json:"part_number"`
				ETag       string `json:"etag"`
				Size       int64  `json:"size"`
			} `json:"parts"`
		}
		r.JSON(t, &listed)
		if r.Status != http.StatusOK || len(listed.Parts) != 1 || listed.Parts[0].PartNumber != 1 || listed.Parts[0].Size != 6<<20 ||
			strings.Trim(listed.Parts[0].ETag, `"`) != strings.Trim(first[0].ETag, `"`) || listed.PartSize != 6<<20 {
			t.Fatalf("uploaded-parts: got %d %s, want part 1 of 6 MiB with its ETag", r.Status, r.Body)
		}
		rest := a.putParts(urls[1:], s.PartSize, data)
		parts := []sentPart{{PartNumber: 1, ETag: listed.Parts[0].ETag}, rest[0]}
		if r := a.complete(member, s.UploadID, parts); r.Status != http.StatusCreated {
			t.Fatalf("complete from the listing: got %d %s", r.Status, r.Body)
		}

		r = a.Get("/api/storage/multipart/uploaded-parts?upload_id="+s.UploadID, member)
		want(t, "uploaded-parts after complete", r, http.StatusNotFound, "upload_not_found")
		r = a.Get("/api/storage/multipart/uploaded-parts?upload_id="+s.UploadID, a.Token("org-2", "member"))
		want(t, "uploaded-parts of another org", r, http.StatusNotFound, "upload_not_found")

		r = a.SendJSON(http.MethodPost, "/api/storage/multipart/initiate", member,
			`{"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "s.png", "size": 10485760, "part_size": 4194304}`)
		want(t, "part_size of 4 MiB", r, http.StatusBadRequest, "invalid_part_size")
		if !strings.Contains(string(r.Body), "from 5242880 to 5368709120 bytes") {
			t.Errorf("invalid_part_size: got %s, want the sizes allowed named", r.Body)
		}
	})
}
