package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
)

type revokedLinkResponse struct {
	LinkID    string `json:"link_id"`
	FilePath  string `json:"file_path"`
	LinkMode  string `json:"link_mode"`
	RevokedAt string `json:"revoked_at"`
	Uses      int    `json:"uses"`
}

// revokeLink is DELETE /api/storage/links/{link_id}.
func (s *Server) revokeLink(c *gin.Context) {
	out, err := s.app.RevokeLinks.One(c.Request.Context(),
		application.RevokeLinkCommand{Caller: caller(c), LinkID: c.Param("link_id")})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, revokedLinkResponse{LinkID: out.LinkID, FilePath: out.FilePath, LinkMode: string(out.Mode),
		RevokedAt: timeJSON(out.RevokedAt), Uses: out.Uses})
}

type revokeFileLinksRequest struct {
	FilePath string `json:"file_path"`
}

type revokeFileLinksResponse struct {
	FilePath string `json:"file_path"`
	Revoked  int    `json:"revoked"`
}

// revokeFileLinks is POST /api/storage/links/revoke.
func (s *Server) revokeFileLinks(c *gin.Context) {
	var req revokeFileLinksRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	n, err := s.app.RevokeLinks.File(c.Request.Context(),
		application.RevokeFileLinksCommand{Caller: caller(c), FilePath: req.FilePath})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, revokeFileLinksResponse{FilePath: req.FilePath, Revoked: n})
}
