package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
)

// usageJSON is GET /api/storage/usage's answer.
type usageJSON struct {
	OrgID    string           `json:"org_id"`
	Bytes    int64            `json:"bytes"`
	Files    int64            `json:"files"`
	InFlight usageCountJSON   `json:"in_flight"`
	Quota    quotaJSON        `json:"quota"`
	Items    []usageEntryJSON `json:"items"`
}

type usageCountJSON struct {
	Bytes int64 `json:"bytes"`
	Files int64 `json:"files"`
}

// quotaJSON is an org's quota; null is unlimited.
type quotaJSON struct {
	Bytes *int64 `json:"bytes"`
	Files *int64 `json:"files"`
}

type usageEntryJSON struct {
	System     string `json:"system"`
	ObjectType string `json:"object_type"`
	Bytes      int64  `json:"bytes"`
	Files      int64  `json:"files"`
}

// usage is GET /api/storage/usage: the caller's org's storage usage per
// system and object type, its total, what uploads in flight have
// reserved, and its quota.
func (s *Server) usage(c *gin.Context) {
	r, err := s.app.GetUsage.Handle(c.Request.Context(), caller(c))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toUsageJSON(r))
}

func toUsageJSON(r application.UsageReport) usageJSON {
	out := usageJSON{OrgID: r.OrgID, Bytes: r.Total.Bytes, Files: r.Total.Files,
		InFlight: usageCountJSON{Bytes: r.InFlight.Bytes, Files: r.InFlight.Files},
		Items:    make([]usageEntryJSON, 0, len(r.Entries))}
	if r.Quota.Bytes > 0 {
		out.Quota.Bytes = &r.Quota.Bytes
	}
	if r.Quota.Files > 0 {
		out.Quota.Files = &r.Quota.Files
	}
	for _, e := range r.Entries {
		out.Items = append(out.Items, usageEntryJSON{System: string(e.System), ObjectType: string(e.ObjectType),
			Bytes: e.Bytes, Files: e.Files})
	}
	return out
}
