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

// linkJSON is one link of a file's listing: never its URL, which is not
// kept.
type linkJSON struct {
	LinkID    string  `json:"link_id"`
	LinkMode  string  `json:"link_mode"`
	CreatedBy string  `json:"created_by"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt string  `json:"expires_at"`
	MaxUses   *int    `json:"max_uses"`
	Uses      int     `json:"uses"`
	RevokedAt *string `json:"revoked_at"`
	RevokedBy *string `json:"revoked_by"`
}

// listLinks is GET /api/storage/links?file_path=.
func (s *Server) listLinks(c *gin.Context) {
	limit, err := intParam(c, "limit")
	if err != nil {
		writeError(c, err)
		return
	}
	p, err := s.app.ListLinks.Handle(c.Request.Context(), application.ListLinksQuery{Caller: caller(c),
		FilePath: c.Query("file_path"), Limit: limit, Cursor: c.Query("cursor")})
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]linkJSON, len(p.Items))
	for i, l := range p.Items {
		d := l.Data()
		items[i] = linkJSON{LinkID: d.ID, LinkMode: string(d.Mode), CreatedBy: d.CreatedBy,
			CreatedAt: timeJSON(d.CreatedAt), ExpiresAt: timeJSON(d.ExpiresAt), Uses: d.Uses}
		if d.MaxUses > 0 {
			items[i].MaxUses = &d.MaxUses
		}
		if l.Revoked() {
			at := timeJSON(d.RevokedAt)
			items[i].RevokedAt, items[i].RevokedBy = &at, &d.RevokedBy
		}
	}
	c.JSON(http.StatusOK, page(items, p.NextCursor))
}
