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
}

type signURLResponse struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	ExpiresIn int64  `json:"expires_in"`
}

// signURL is POST /api/storage/signed-url.
func (s *Server) signURL(c *gin.Context) {
	var req signURLRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	q := application.SignURLQuery{Caller: caller(c), FilePath: req.FilePath, Disposition: req.Disposition}
	if req.ExpiresIn != nil {
		// 0 would mean "the default" to the use case: an explicit 0 (or
		// anything absurd) is refused here with the same message.
		if *req.ExpiresIn <= 0 || *req.ExpiresIn > 1<<31 {
			writeError(c, errorf(domain.ErrInvalid, "invalid_expires_in", "expires_in must be between %d and %d seconds.",
				int(domain.MinSignedURLExpiry.Seconds()), int(domain.MaxSignedURLExpiry.Seconds())))
			return
		}
		q.ExpiresIn = time.Duration(*req.ExpiresIn) * time.Second
	}
	out, err := s.app.SignURL.Handle(c.Request.Context(), q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, signURLResponse{URL: out.URL, ExpiresAt: timeJSON(out.ExpiresAt),
		ExpiresIn: int64(out.ExpiresIn / time.Second)})
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
	rec, err := s.app.Delete.Handle(c.Request.Context(),
		application.DeleteCommand{Caller: caller(c), FilePath: req.FilePath, Hard: req.Hard})
	if err != nil {
		writeError(c, err)
		return
	}
	if req.Hard {
		c.JSON(http.StatusOK, hardDeleteResponse{FilePath: rec.Path().String(), Deleted: "hard"})
		return
	}
	c.JSON(http.StatusOK, recordJSON(rec))
}

// pathParam is the file path of a metadata route, as sent (still escaped:
// see UseEscapedPath), without the leading slash of the wildcard.
func pathParam(c *gin.Context) string {
	return strings.TrimPrefix(c.Param("file_path"), "/")
}

// metadata is GET /api/storage/metadata/{file_path}.
func (s *Server) metadata(c *gin.Context) {
	rec, err := s.app.Metadata.Handle(c.Request.Context(),
		application.MetadataQuery{Caller: caller(c), FilePath: pathParam(c)})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, recordJSON(rec))
}

// exists is HEAD /api/storage/metadata/{file_path}: 200 or 404, no body.
func (s *Server) exists(c *gin.Context) {
	ok, err := s.app.Metadata.Exists(c.Request.Context(),
		application.MetadataQuery{Caller: caller(c), FilePath: pathParam(c)})
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

// intParam reads an optional non-negative integer query parameter (0 when
// absent).
func intParam(c *gin.Context, name string) (int, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errorf(domain.ErrInvalid, "invalid_"+name, "%s must be a whole number.", name)
	}
	return n, nil
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
