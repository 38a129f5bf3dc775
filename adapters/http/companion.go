package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// companionRoute is where the endpoint of an upload capability answers
// the calls of Uppy's @uppy/aws-s3 (6.x) given it as companionEndpoint:
// the S3 routes of Uppy's Companion server, with the same paths and JSON
// shapes, over the same use cases as the token-authenticated API. No
// bearer token: the capability in the path is the credential.
const companionRoute = "/api/storage/companion/:capability/s3"

// companionRoutes registers the Companion-compatible routes.
func (s *Server) companionRoutes(e *gin.Engine) {
	if s.app == nil || s.app.CapabilityUploads == nil {
		return
	}
	g := e.Group(companionRoute)
	g.GET("/params", s.companionParams)
	g.POST("/upload", s.limitUploads, s.companionUpload)
	g.POST("/multipart", s.companionCreate)
	g.GET("/multipart/:upload_id", s.companionListParts)
	g.GET("/multipart/:upload_id/:part", s.companionSignPart)
	g.POST("/multipart/:upload_id/complete", s.companionComplete)
	g.DELETE("/multipart/:upload_id", s.companionAbort)
}

func capabilityCaller(c *gin.Context) application.CapabilityCaller {
	return application.CapabilityCaller{Token: c.Param("capability"), IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// endpointOf is the capability endpoint the request was sent to.
func (s *Server) endpointOf(c *gin.Context) string {
	return s.capabilityEndpoint(c, c.Param("capability"))
}

type companionParamsJSON struct {
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

// companionParams is GET …/s3/params?filename=&type=: where Uppy posts a
// file whole (its POST-policy upload). The key field is the path the file
// will get (the file's name when the capability adds timestamps): Uppy
// reports it as the upload's key, as it would S3's. The form goes to
// companionUpload, through the Upload use case; nothing is stored or
// signed here.
func (s *Server) companionParams(c *gin.Context) {
	name := c.Query("filename")
	if name == "" {
		writeError(c, errorf(domain.ErrInvalid, "filename_missing", "filename (the file's name) is required."))
		return
	}
	key, err := s.app.CapabilityUploads.PostKey(c.Request.Context(), capabilityCaller(c), name)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, companionParamsJSON{Method: "POST", URL: s.endpointOf(c) + "/s3/upload",
		Fields: map[string]string{"key": key}})
}

// companionForm is the POST-policy form Uppy sends: the key field (from
// companionParams: the path, or the file's name), then the file.
var companionForm = uploadForm{required: []string{"key"}}

// companionUpload is POST …/s3/upload: one file, sent whole.
func (s *Server) companionUpload(c *gin.Context) {
	rec, err := s.runCompanionUpload(c)
	if err != nil {
		c.Header("Connection", "close")
		writeError(c, err)
		return
	}
	p := rec.Path()
	s.opts.Observer.Upload(string(p.System()), string(p.ObjectType()), rec.Content().SizeBytes)
	c.JSON(http.StatusCreated, s.companionDone(c, rec))
}

func (s *Server) runCompanionUpload(c *gin.Context) (*domain.FileRecord, error) {
	u, err := s.readUpload(c, companionForm)
	if err != nil {
		return nil, err
	}
	return s.app.CapabilityUploads.Upload(c.Request.Context(), capabilityCaller(c), u.fields["key"], u.declared, u.body)
}

type companionCreateRequest struct {
	Filename string                     `json:"filename"`
	Type     string                     `json:"type"`
	Metadata map[string]json.RawMessage `json:"metadata"`
	Size     *int64                     `json:"size"`
}

type companionCreateJSON struct {
	Key       string `json:"key"`
	UploadID  string `json:"uploadId"`
	PartSize  int64  `json:"partSize"`
	PartCount int    `json:"partCount"`
}

// companionCreate is POST …/s3/multipart {filename, type, metadata}. The
// file's size, which Uppy does not send by itself, is metadata.size (or
// size); the part size is the capability's or else the one Uppy cuts by
// default (uppyPartSize).
func (s *Server) companionCreate(c *gin.Context) {
	var req companionCreateRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	size, err := req.size()
	if err != nil {
		writeError(c, err)
		return
	}
	sess, err := s.app.CapabilityUploads.Initiate(c.Request.Context(), capabilityCaller(c), application.CapabilityInitiate{
		Filename: req.Filename, Size: size, ContentType: req.Type, PartSize: uppyPartSize(size)})
	if err != nil {
		writeError(c, err)
		return
	}
	plan := sess.Plan()
	c.JSON(http.StatusOK, companionCreateJSON{Key: sess.Path().String(), UploadID: sess.ID(), PartSize: plan.Size, PartCount: plan.Count})
}

// size reads the file's size from size or metadata.size (a number, or a
// string of digits, as Uppy's meta may hold either).
func (r companionCreateRequest) size() (int64, error) {
	if r.Size != nil {
		return *r.Size, nil
	}
	raw, ok := r.Metadata["size"]
	if ok {
		var n int64
		if err := json.Unmarshal(raw, &n); err == nil {
			return n, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
		}
	}
	return 0, errorf(domain.ErrInvalid, "invalid_size",
		"metadata.size (the file's size in bytes) is required: give each Uppy file meta.size (see the developer guide).")
}

// uppyPartSize is the part size @uppy/aws-s3 cuts a file into unless
// given getChunkSize: a ten-thousandth of the file, at least 5 MiB.
func uppyPartSize(size int64) int64 {
	return max(int64(domain.MinPartBytes), (size+domain.MaxParts-1)/domain.MaxParts)
}

type companionPartJSON struct {
	PartNumber int    `json:"PartNumber"`
	ETag       string `json:"ETag"`
	Size       int64  `json:"Size"`
}

// companionListParts is GET …/s3/multipart/{uploadId}?key=: the parts the
// store holds, as S3's ListParts names them.
func (s *Server) companionListParts(c *gin.Context) {
	up, err := s.app.CapabilityUploads.ListParts(c.Request.Context(), capabilityCaller(c), c.Param("upload_id"))
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]companionPartJSON, len(up.Parts))
	for i, p := range up.Parts {
		out[i] = companionPartJSON{PartNumber: p.Number, ETag: p.ETag, Size: p.Size}
	}
	c.JSON(http.StatusOK, out)
}

type companionSignJSON struct {
	URL     string `json:"url"`
	Expires int    `json:"expires"` // seconds
}

// companionSignPart is GET …/s3/multipart/{uploadId}/{partNumber}?key=:
// the URL to PUT that part to (a local part URL, or the store's presigned
// one).
func (s *Server) companionSignPart(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("part"))
	if err != nil || strconv.Itoa(n) != c.Param("part") {
		writeError(c, errorf(domain.ErrInvalid, "invalid_part_number", "The part number must be a whole number."))
		return
	}
	u, err := s.app.CapabilityUploads.PartURL(c.Request.Context(), capabilityCaller(c), c.Param("upload_id"), n)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, companionSignJSON{URL: u.URL, Expires: int(time.Until(u.ExpiresAt).Round(time.Second).Seconds())})
}

type companionCompleteRequest struct {
	Parts []struct {
		PartNumber int    `json:"PartNumber"`
		ETag       string `json:"ETag"`
		Size       *int64 `json:"Size"` // as listed; the store's is checked
	} `json:"parts"`
}

type companionDoneJSON struct {
	Location string         `json:"location"`
	Key      string         `json:"key"`
	File     fileRecordJSON `json:"file"`
}

// companionComplete is POST …/s3/multipart/{uploadId}/complete?key=
// {parts: [{PartNumber, ETag}]}.
func (s *Server) companionComplete(c *gin.Context) {
	var req companionCompleteRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	parts := make([]domain.PartRef, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = domain.PartRef{Number: p.PartNumber, ETag: p.ETag}
	}
	rec, err := s.app.CapabilityUploads.Complete(c.Request.Context(), capabilityCaller(c), c.Param("upload_id"), parts)
	if err != nil {
		writeError(c, err)
		return
	}
	p := rec.Path()
	s.opts.Observer.Upload(string(p.System()), string(p.ObjectType()), rec.Content().SizeBytes)
	c.JSON(http.StatusOK, s.companionDone(c, rec))
}

// companionDone is the answer to a finished upload: Uppy reports location
// and key; file is the record, as the native API answers it.
func (s *Server) companionDone(c *gin.Context, rec *domain.FileRecord) companionDoneJSON {
	base := strings.TrimSuffix(s.endpointOf(c), "/api/storage/companion/"+url.PathEscape(c.Param("capability")))
	return companionDoneJSON{Location: base + "/api/storage/metadata/" + rec.Path().String(), Key: rec.Path().String(),
		File: recordJSON(rec)}
}

// companionAbort is DELETE …/s3/multipart/{uploadId}?key=.
func (s *Server) companionAbort(c *gin.Context) {
	if err := s.app.CapabilityUploads.Abort(c.Request.Context(), capabilityCaller(c), c.Param("upload_id")); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{})
}
