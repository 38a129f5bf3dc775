package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// versionsQueryRoute takes the file path as the file_path query
// parameter, for generated clients (see metadataQueryRoute).
const versionsQueryRoute = "/versions"

// versionRoutes adds the routes of file versions, when the application
// keeps them.
func (s *Server) versionRoutes(api *gin.RouterGroup, app *application.Application) {
	if app.ListVersions == nil {
		return
	}
	api.GET("/versions/*file_path", s.listVersions)
	api.GET(versionsQueryRoute, s.listVersions)
	api.POST("/versions/restore", s.admit(app.RestoreVersion.Admit), s.idempotent(domain.ActionEdit), s.restoreVersion)
}

type fileVersionJSON struct {
	VersionID    string `json:"version_id"`
	FilePath     string `json:"file_path"`
	ContentType  string `json:"content_type"`
	SizeBytes    int64  `json:"size_bytes"`
	SHA256       string `json:"sha256"`
	UploadedBy   string `json:"uploaded_by"`
	CreatedAt    string `json:"created_at"`
	SupersededAt string `json:"superseded_at"`
}

type versionsResponse struct {
	FilePath string            `json:"file_path"`
	Items    []fileVersionJSON `json:"items"`
}

// listVersions is GET /api/storage/versions/{file_path} and
// GET /api/storage/versions?file_path=: the file's previous contents, the
// most recently replaced first.
func (s *Server) listVersions(c *gin.Context) {
	path := pathParam(c)
	if strings.HasSuffix(c.FullPath(), versionsQueryRoute) {
		path = c.Query("file_path")
	}
	vs, err := s.app.ListVersions.Handle(c.Request.Context(), application.ListVersionsQuery{Caller: caller(c), FilePath: path})
	if err != nil {
		writeError(c, err)
		return
	}
	out := versionsResponse{FilePath: path, Items: make([]fileVersionJSON, 0, len(vs))}
	for _, v := range vs {
		out.Items = append(out.Items, fileVersionJSON{VersionID: v.ID, FilePath: v.Path.String(),
			ContentType: v.Content.ContentType, SizeBytes: v.Content.SizeBytes, SHA256: v.Content.SHA256,
			UploadedBy: v.UploadedBy, CreatedAt: timeJSON(v.CreatedAt), SupersededAt: timeJSON(v.SupersededAt)})
	}
	c.JSON(http.StatusOK, out)
}

type restoreVersionRequest struct {
	FilePath  string `json:"file_path"`
	VersionID string `json:"version_id"`
}

// restoreVersion is POST /api/storage/versions/restore: the version
// becomes the file's current content (an edit) and the record is
// answered.
func (s *Server) restoreVersion(c *gin.Context) {
	var req restoreVersionRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	answer := fileAnswer(http.StatusOK)
	s.answerInTx(c, answer)
	rec, err := s.app.RestoreVersion.Handle(c.Request.Context(),
		application.RestoreVersionCommand{Caller: caller(c), FilePath: req.FilePath, VersionID: req.VersionID})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(rec)
	writeAnswer(c, a)
}
