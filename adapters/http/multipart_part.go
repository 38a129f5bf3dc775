package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// partRoute receives the parts sent to the part URLs that a store serving
// its own part URLs (local disk) signs: localfs.PartURLPath. In production
// (Spaces) the part URLs point at the store and this route is not served.
const partRoute = "/api/storage/multipart/part"

// receivePart is PUT /api/storage/multipart/part?t=…: one part of a
// multipart upload, for development on local disk. No bearer token: the
// URL's opaque token is the credential. Like S3's UploadPart it answers
// 200 with the part's ETag header and no body. A refused part closes the
// connection, so its body is never read to its end.
func (s *Server) receivePart(c *gin.Context) {
	etag, err := s.app.ReceivePart.Handle(c.Request.Context(), c.Request.URL.Query(), c.Request.Body)
	if err != nil {
		c.Header("Connection", "close")
		writeError(c, err)
		return
	}
	c.Header("ETag", etag)
	c.Status(http.StatusOK)
}
