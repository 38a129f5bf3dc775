package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

type revokedLinkResponse struct {
	LinkID    string `json:"link_id"`
	FilePath  string `json:"file_path"`
	LinkMode  string `json:"link_mode"`
	RevokedAt string `json:"revoked_at"`
	Uses      int    `json:"uses"`
}

// revokeLink is DELETE /api/storage/links/{link_id}. It takes no body;
// one sent anyway is read (and ignored) before the revocation commits, so
// that an Idempotency-Key's fingerprint is whole in its transaction.
func (s *Server) revokeLink(c *gin.Context) {
	if err := s.discardBody(c); err != nil {
		writeError(c, err)
		return
	}
	answer := func(result any) (domain.IdempotentAnswer, bool) {
		out, ok := result.(application.RevokedLink)
		return jsonAnswer(http.StatusOK, revokedLinkResponse{LinkID: out.LinkID, FilePath: out.FilePath,
			LinkMode: string(out.Mode), RevokedAt: timeJSON(out.RevokedAt), Uses: out.Uses}), ok
	}
	s.answerInTx(c, answer)
	out, err := s.app.RevokeLinks.One(c.Request.Context(),
		application.RevokeLinkCommand{Caller: caller(c), LinkID: c.Param("link_id")})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(out)
	writeAnswer(c, a)
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
	answer := func(result any) (domain.IdempotentAnswer, bool) {
		out, ok := result.(application.RevokedFileLinks)
		return jsonAnswer(http.StatusOK, revokeFileLinksResponse{FilePath: out.FilePath, Revoked: out.Revoked}), ok
	}
	s.answerInTx(c, answer)
	n, err := s.app.RevokeLinks.File(c.Request.Context(),
		application.RevokeFileLinksCommand{Caller: caller(c), FilePath: req.FilePath})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(application.RevokedFileLinks{FilePath: req.FilePath, Revoked: n})
	writeAnswer(c, a)
}

// discardBody reads the body of a route that takes none to its end, up
// to MaxJSONBytes (413 body_too_large past it), and ignores it.
func (s *Server) discardBody(c *gin.Context) error {
	if c.Request.Body == nil {
		return nil
	}
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxJSONBytes)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(domain.ErrTooLarge, "body_too_large", "The JSON body is larger than %s.", domain.FormatSize(s.opts.MaxJSONBytes))
		}
		return errorf(domain.ErrInvalid, "malformed_body", "The request body could not be read; send the request again, without a body.")
	}
	return nil
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
