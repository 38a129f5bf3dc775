package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// auditLogs is GET /api/storage/audit-logs: the caller's org's audit
// trail, newest first, filtered by SPEC §4's query parameters.
func (s *Server) auditLogs(c *gin.Context) {
	q, err := auditQuery(c)
	if err != nil {
		writeError(c, err)
		return
	}
	p, err := s.app.AuditLogs.Handle(c.Request.Context(), q)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]auditEventJSON, len(p.Items))
	for i, e := range p.Items {
		items[i] = auditJSON(e)
	}
	c.JSON(http.StatusOK, page(items, p.NextCursor))
}

func auditQuery(c *gin.Context) (application.AuditLogsQuery, error) {
	q := application.AuditLogsQuery{Caller: caller(c), UserID: c.Query("user_id"), ActionType: c.Query("action_type"),
		FilePath: c.Query("file_path"), RelatedObjectType: c.Query("related_object_type"),
		RelatedObjectID: c.Query("related_object_id"), Cursor: c.Query("cursor")}
	var err error
	if q.Limit, err = intParam(c, "limit"); err != nil {
		return q, err
	}
	if v, ok := c.GetQuery("success"); ok {
		b, err := parseBool("success", v)
		if err != nil {
			return q, err
		}
		q.Success = &b
	}
	if q.From, err = timeParam(c, "from"); err != nil {
		return q, err
	}
	q.To, err = timeParam(c, "to")
	return q, err
}

// timeParam reads an optional RFC 3339 time (zero when absent).
func timeParam(c *gin.Context, name string) (time.Time, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errorf(domain.ErrInvalid, "invalid_"+name,
			"%s must be an RFC 3339 time such as 2026-01-26T15:30:45Z.", name)
	}
	return t.UTC(), nil
}
