package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
)

type restoreRequest struct {
	FilePath string `json:"file_path"`
}

// restore is POST /api/storage/restore: an admin undoes a soft delete
// within the retention period and gets the record back.
func (s *Server) restore(c *gin.Context) {
	var req restoreRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	answer := fileAnswer(http.StatusOK)
	s.answerInTx(c, answer)
	rec, err := s.app.Restore.Handle(c.Request.Context(),
		application.RestoreCommand{Caller: caller(c), FilePath: req.FilePath})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(rec)
	writeAnswer(c, a)
}
