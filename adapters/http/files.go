package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

type signURLRequest struct {
	FilePath    string `json:"file_path"`
	ExpiresIn   *int64 `json:"expires_in"`
	Disposition string `json:"disposition"`
	MaxUses     *int64 `json:"max_uses"`
	VersionID   string `json:"version_id"`
}

type signURLResponse struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	ExpiresIn int64  `json:"expires_in"`
	LinkID    string `json:"link_id,omitempty"`
	LinkMode  string `json:"link_mode,omitempty"`
	MaxUses   int    `json:"max_uses,omitempty"`
}

// signURL is POST /api/storage/signed-url.
func (s *Server) signURL(c *gin.Context) {
	var req signURLRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	q := application.SignURLQuery{Caller: caller(c), FilePath: req.FilePath, Disposition: req.Disposition, VersionID: req.VersionID}
	if req.ExpiresIn != nil {
		// Clamped only so that the Duration cannot overflow; the use case
		// judges the value (an explicit 0 included) and audits a refusal.
		secs := min(max(*req.ExpiresIn, -1), 1<<31)
		q.ExpiresIn = new(time.Duration(secs) * time.Second)
	}
	if req.MaxUses != nil {
		q.MaxUses = new(int(min(max(*req.MaxUses, -1), 1<<31))) // judged by the use case
	}
	out, err := s.app.SignURL.Handle(c.Request.Context(), q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, signURLResponse{URL: out.URL, ExpiresAt: timeJSON(out.ExpiresAt),
		ExpiresIn: int64(out.ExpiresIn / time.Second), LinkID: out.LinkID, LinkMode: string(out.LinkMode), MaxUses: out.MaxUses})
}

type deleteRequest struct {
	FilePath string `json:"file_path"`
	Hard     bool   `json:"hard"`
}

type hardDeleteResponse struct {
	FilePath string `json:"file_path"`
	Deleted  string `json:"deleted"`
}

// delete is DELETE /api/storage/delete.
func (s *Server) delete(c *gin.Context) {
	var req deleteRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	answer := fileAnswer(http.StatusOK)
	if req.Hard {
		answer = func(result any) (domain.IdempotentAnswer, bool) {
			rec, ok := result.(*domain.FileRecord)
			if !ok || rec == nil {
				return domain.IdempotentAnswer{}, false
			}
			return jsonAnswer(http.StatusOK, hardDeleteResponse{FilePath: rec.Path().String(), Deleted: "hard"}), true
		}
	}
	s.answerInTx(c, answer)
	rec, err := s.app.Delete.Handle(c.Request.Context(),
		application.DeleteCommand{Caller: caller(c), FilePath: req.FilePath, Hard: req.Hard})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(rec)
	writeAnswer(c, a)
}

// pathParam is the file path of a metadata route, as sent (still escaped:
// see UseEscapedPath), without the leading slash of the wildcard.
func pathParam(c *gin.Context) string {
	return strings.TrimPrefix(c.Param("file_path"), "/")
}

// metadataQueryRoute takes the file path as the file_path query parameter,
// for clients generated from openapi.json: they percent-encode a path
// parameter's slashes, which the path form refuses.
const metadataQueryRoute = "/metadata"

// metadataPath is the file path a metadata request names: the rest of the
// URL path, or on metadataQueryRoute the (decoded) file_path query
// parameter.
func metadataPath(c *gin.Context) string {
	if strings.HasSuffix(c.FullPath(), metadataQueryRoute) {
		return c.Query("file_path")
	}
	return pathParam(c)
}

// metadata is GET /api/storage/metadata/{file_path} and
// GET /api/storage/metadata?file_path=.
func (s *Server) metadata(c *gin.Context) {
	rec, err := s.app.Metadata.Handle(c.Request.Context(),
		application.MetadataQuery{Caller: caller(c), FilePath: metadataPath(c)})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, recordJSON(rec))
}

// exists is HEAD /api/storage/metadata/{file_path} (or ?file_path=): 200
// or 404, no body.
func (s *Server) exists(c *gin.Context) {
	ok, err := s.app.Metadata.Exists(c.Request.Context(),
		application.MetadataQuery{Caller: caller(c), FilePath: metadataPath(c)})
	if err == nil && !ok {
		err = errorf(domain.ErrNotFound, "not_found", "No such file.")
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusOK)
}

// list is GET /api/storage/files?prefix=&limit=&cursor=.
func (s *Server) list(c *gin.Context) {
	limit, err := intParam(c, "limit")
	if err != nil {
		writeError(c, err)
		return
	}
	p, err := s.app.List.Handle(c.Request.Context(), application.ListFilesQuery{Caller: caller(c),
		Prefix: c.Query("prefix"), Limit: limit, Cursor: c.Query("cursor")})
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]fileRecordJSON, len(p.Items))
	for i, r := range p.Items {
		items[i] = recordJSON(r)
	}
	c.JSON(http.StatusOK, page(items, p.NextCursor))
}

// intParam reads an optional integer query parameter (nil when absent);
// the use case judges its range.
func intParam(c *gin.Context, name string) (*int, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errorf(domain.ErrInvalid, "invalid_"+name, "%s must be a whole number.", name)
	}
	return &n, nil
}

// parseBool reads a form or query flag strictly: true/false/1/0.
func parseBool(name, v string) (bool, error) {
	switch v {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errorf(domain.ErrInvalid, "invalid_"+name, "%s must be true, false, 1 or 0.", name)
}
