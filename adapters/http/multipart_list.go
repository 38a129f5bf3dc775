package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
)

type uploadedPartJSON struct {
	PartNumber int    `json:"part_number"`
	ETag       string `json:"etag"`
	Size       int64  `json:"size"`
}

type uploadedPartsJSON struct {
	UploadID  string             `json:"upload_id"`
	FilePath  string             `json:"file_path"`
	Size      int64              `json:"size"`
	PartSize  int64              `json:"part_size"`
	PartCount int                `json:"part_count"`
	ExpiresAt string             `json:"expires_at"`
	Parts     []uploadedPartJSON `json:"parts"`
}

// uploadedParts is GET /api/storage/multipart/uploaded-parts?upload_id=…:
// the parts the store holds for a session, read from the store, so that
// a client resumes from any device or replica: it sends the parts missing
// and completes with the ETags listed.
func (s *Server) uploadedParts(c *gin.Context) {
	up, err := s.app.ListUploadedParts.Handle(c.Request.Context(),
		application.ListPartsCommand{Caller: caller(c), UploadID: c.Query("upload_id")})
	if err != nil {
		writeError(c, err)
		return
	}
	sess, plan := up.Session, up.Session.Plan()
	out := uploadedPartsJSON{UploadID: sess.ID(), FilePath: sess.Path().String(), Size: sess.DeclaredSize(),
		PartSize: plan.Size, PartCount: plan.Count, ExpiresAt: timeJSON(sess.ExpiresAt()),
		Parts: make([]uploadedPartJSON, len(up.Parts))}
	for i, p := range up.Parts {
		out.Parts[i] = uploadedPartJSON{PartNumber: p.Number, ETag: p.ETag, Size: p.Size}
	}
	c.JSON(http.StatusOK, out)
}
