package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

type capabilityRequest struct {
	System       string `json:"system"`
	ObjectType   string `json:"object_type"`
	ObjectID     string `json:"object_id"`
	Filename     string `json:"filename"`
	MaxSize      int64  `json:"max_size"`
	PartSize     int64  `json:"part_size"`
	AddTimestamp bool   `json:"add_timestamp"`
	Overwrite    bool   `json:"overwrite"`
	ExpiresIn    *int   `json:"expires_in"`
}

type capabilityJSON struct {
	Endpoint     string `json:"endpoint"`
	ExpiresAt    string `json:"expires_at"`
	ExpiresIn    int    `json:"expires_in"`
	CapabilityID string `json:"capability_id"`
	System       string `json:"system"`
	ObjectType   string `json:"object_type"`
	ObjectID     string `json:"object_id"`
	Filename     string `json:"filename,omitempty"`
	MaxSize      int64  `json:"max_size,omitempty"`
	PartSize     int64  `json:"part_size,omitempty"`
}

// issueUploadCapability is POST /api/storage/upload-capabilities: an
// endpoint URL, bound to the caller and one target, that uploads without
// a bearer token for a few minutes; browser uploaders that send no
// headers (Uppy's @uppy/aws-s3 with companionEndpoint) are given it.
func (s *Server) issueUploadCapability(c *gin.Context) {
	var req capabilityRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	var ttl time.Duration
	if req.ExpiresIn != nil {
		if *req.ExpiresIn <= 0 {
			writeError(c, errorf(domain.ErrInvalid, "invalid_expires_in", "expires_in must be from %d to %d seconds.",
				int(domain.MinCapabilityTTL.Seconds()), int(domain.MaxCapabilityTTL.Seconds())))
			return
		}
		ttl = time.Duration(*req.ExpiresIn) * time.Second
	}
	out, err := s.app.IssueUploadCapability.Handle(c.Request.Context(), application.IssueCapabilityCommand{
		Caller: caller(c), System: req.System, ObjectType: req.ObjectType, ObjectID: req.ObjectID,
		Filename: req.Filename, MaxBytes: req.MaxSize, PartSize: req.PartSize,
		AddTimestamp: req.AddTimestamp, Overwrite: req.Overwrite, ExpiresIn: ttl,
	})
	if err != nil {
		writeError(c, err)
		return
	}
	capa := out.Capability
	k := capa.Kind()
	c.JSON(http.StatusOK, capabilityJSON{
		Endpoint:  s.capabilityEndpoint(c, out.Token),
		ExpiresAt: timeJSON(capa.ExpiresAt()), ExpiresIn: int(out.ExpiresIn.Seconds()),
		CapabilityID: capa.ID(), System: string(k.System), ObjectType: string(k.ObjectType), ObjectID: capa.ObjectID(),
		Filename: capa.Filename(), MaxSize: capa.MaxBytes(), PartSize: capa.PartSize(),
	})
}

// capabilityEndpoint is the URL a capability's holder calls: Uppy appends
// /s3/… to it (companionRoute).
func (s *Server) capabilityEndpoint(c *gin.Context, token string) string {
	base := strings.TrimRight(s.opts.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if c.Request.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + c.Request.Host
	}
	return base + "/api/storage/companion/" + url.PathEscape(token)
}
