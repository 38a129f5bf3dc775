package httpapi

import "github.com/gin-gonic/gin"

// apiHeaders marks every answer as one that no cache may keep (answers name
// files, carry signed URLs and audit entries) and whose type a browser may
// not second-guess. The blob route sets its own, stricter, headers on top.
func apiHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Next()
}
