package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// TUS 1.0 (https://tus.io/protocols/resumable-upload) at /api/storage/tus/:
// the core protocol with the creation, creation-with-upload, termination
// and expiration extensions. The handlers decode the protocol's headers,
// call the TUS use cases and encode their answers; errors are the API's
// JSON errors, with their statuses from statusOf.
const (
	tusRoute      = "/tus/"
	tusVersion    = "1.0.0"
	tusExtensions = "creation,creation-with-upload,termination,expiration"
	tusChunkType  = "application/offset+octet-stream"
	// codeTusVersion is a request without Tus-Resumable: 1.0.0 (412).
	codeTusVersion = "tus_version_unsupported"
	// headerFilePath names the file a completed upload committed.
	headerFilePath = "Storage-File-Path"
)

// tusRoutes mounts the TUS routes on api (authenticated) and the
// protocol's discovery (OPTIONS, which carries no data) on e.
func (s *Server) tusRoutes(e *gin.Engine, api *gin.RouterGroup) {
	if s.app == nil || s.app.TusCreate == nil {
		return
	}
	e.OPTIONS("/api/storage/tus/", s.tusOptions)
	e.OPTIONS("/api/storage/tus/:id", s.tusOptions)
	g := api.Group(tusRoute, tusHeaders)
	g.POST("", s.admit(s.app.InitiateMultipart.Admit), s.limitUploads,
		s.idempotent(domain.ActionMultipartInitiate, "Upload-Length", "Upload-Metadata", "Upload-Defer-Length", "Upload-Concat"), s.tusCreate)
	g.HEAD(":id", s.tusHead)
	g.PATCH(":id", s.admit(s.app.TusPatch.Admit), s.limitUploads, s.tusPatch)
	g.DELETE(":id", s.tusDelete)
}

// tusHeaders answers every TUS request with the protocol's version and
// refuses one that does not speak it (HEAD may omit it, as browsers do).
func tusHeaders(c *gin.Context) {
	c.Header("Tus-Resumable", tusVersion)
	if c.Request.Method != http.MethodHead && c.GetHeader("Tus-Resumable") != tusVersion {
		c.Header("Tus-Version", tusVersion)
		writeError(c, errorf(domain.ErrInvalid, codeTusVersion, "Send Tus-Resumable: %s; this server speaks TUS %s.", tusVersion, tusVersion))
		return
	}
	c.Next()
}

// tusOptions is the protocol's discovery: version, extensions, the largest
// upload any kind allows.
func (s *Server) tusOptions(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Tus-Resumable", tusVersion)
	h.Set("Tus-Version", tusVersion)
	h.Set("Tus-Extension", tusExtensions)
	h.Set("Tus-Max-Size", strconv.FormatInt(s.maxBody-s.opts.MultipartOverhead, 10))
	c.Status(http.StatusNoContent)
}

// tusCreate is POST /api/storage/tus/: Upload-Length and Upload-Metadata
// (system, object_type, object_id, filename; optional add_timestamp,
// overwrite) create the upload; a body of type
// application/offset+octet-stream is its first bytes.
func (s *Server) tusCreate(c *gin.Context) {
	cmd, err := tusCreateCommand(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if c.Request.ContentLength != 0 {
		// A body is the upload's first bytes (creation-with-upload), in
		// the protocol's type; a body of another type would be left
		// unread, and the request's fingerprint with it.
		if c.ContentType() != tusChunkType {
			c.Header("Connection", "close") // the body is not read
			writeError(c, errorf(domain.ErrUnsupportedType, "invalid_content_type",
				"A creation's body is the upload's first bytes: send it as Content-Type: %s, or send no body.", tusChunkType))
			return
		}
		cmd.Body, cmd.ContentLength = c.Request.Body, c.Request.ContentLength
	}
	// The request's last change stores its answer: the creation's, or,
	// with a body, the change that counted its bytes or completed the
	// upload with them (docs/DESIGN.md, "Idempotency keys").
	s.answerInTx(c, func(result any) (domain.IdempotentAnswer, bool) {
		switch r := result.(type) {
		case *domain.TusUpload:
			if r != nil {
				return tusCreated(r, ""), true
			}
		case application.TusPatchResult:
			if r.Upload != nil {
				return tusCreated(r.Upload, recordPath(r.Record)), true
			}
		}
		return domain.IdempotentAnswer{}, false
	})
	res, err := s.app.TusCreate.Handle(c.Request.Context(), cmd)
	if err != nil {
		writeError(c, err)
		return
	}
	writeAnswer(c, tusCreated(res.Upload, recordPath(res.Record)))
}

func tusCreateCommand(c *gin.Context) (application.TusCreateCommand, error) {
	if c.GetHeader("Upload-Defer-Length") != "" {
		return application.TusCreateCommand{}, errorf(domain.ErrInvalid, "upload_length_required",
			"Deferred lengths are not supported: send Upload-Length, the file's size in bytes.")
	}
	length, err := strconv.ParseInt(c.GetHeader("Upload-Length"), 10, 64)
	if err != nil || length < 0 {
		return application.TusCreateCommand{}, errorf(domain.ErrInvalid, "upload_length_required",
			"Send Upload-Length, the file's size in bytes.")
	}
	raw := c.GetHeader("Upload-Metadata")
	meta, err := parseTusMetadata(raw)
	if err != nil {
		return application.TusCreateCommand{}, err
	}
	var missing []string
	for _, k := range []string{"system", "object_type", "object_id", "filename"} {
		if meta[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return application.TusCreateCommand{}, errorf(domain.ErrInvalid, "missing_metadata",
			"Upload-Metadata needs %s (each base64-encoded).", strings.Join(missing, ", "))
	}
	cmd := application.TusCreateCommand{Caller: caller(c), System: meta["system"], ObjectType: meta["object_type"],
		ObjectID: meta["object_id"], Filename: meta["filename"], Length: length, Metadata: raw}
	if cmd.AddTimestamp, err = optionalBool(meta, "add_timestamp"); err != nil {
		return cmd, err
	}
	cmd.Overwrite, err = optionalBool(meta, "overwrite")
	return cmd, err
}

// parseTusMetadata decodes Upload-Metadata: comma-separated pairs of a key
// and a base64 value (a key alone is a value of "true", for flags).
func parseTusMetadata(h string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(h) == "" {
		return out, nil
	}
	if len(h) > domain.MaxTusMetadataBytes {
		return nil, errorf(domain.ErrInvalid, "invalid_metadata", "Upload-Metadata may hold at most %d bytes.", domain.MaxTusMetadataBytes)
	}
	for _, pair := range strings.Split(h, ",") {
		key, val, hasVal := strings.Cut(strings.TrimSpace(pair), " ")
		if key == "" {
			return nil, errorf(domain.ErrInvalid, "invalid_metadata", "Upload-Metadata has an empty key.")
		}
		if !hasVal {
			out[key] = "true"
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil {
			return nil, errorf(domain.ErrInvalid, "invalid_metadata", "The Upload-Metadata value of %q is not base64.", clipText(key))
		}
		out[key] = string(b)
	}
	return out, nil
}

// tusHead is HEAD /api/storage/tus/{id}.
func (s *Server) tusHead(c *gin.Context) {
	t, err := s.app.TusStatus.Handle(c.Request.Context(), application.TusStatusCommand{Caller: caller(c), ID: c.Param("id")})
	if err != nil {
		writeError(c, err)
		return
	}
	path := ""
	if t.Completed() {
		path = t.Path().String()
	}
	tusState(c, t, path)
	c.Header("Upload-Length", strconv.FormatInt(t.Length(), 10))
	if t.Metadata() != "" {
		c.Header("Upload-Metadata", t.Metadata())
	}
	c.Status(http.StatusOK)
}

// tusPatch is PATCH /api/storage/tus/{id}.
func (s *Server) tusPatch(c *gin.Context) {
	if c.ContentType() != tusChunkType {
		writeError(c, errorf(domain.ErrUnsupportedType, "invalid_content_type", "Send the bytes as Content-Type: %s.", tusChunkType))
		return
	}
	offset, err := strconv.ParseInt(c.GetHeader("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		writeError(c, errorf(domain.ErrInvalid, "invalid_offset", "Send Upload-Offset, the offset of the body's first byte."))
		return
	}
	res, err := s.app.TusPatch.Handle(c.Request.Context(), application.TusPatchCommand{
		Caller: caller(c), ID: c.Param("id"), Offset: offset, Body: c.Request.Body, ContentLength: c.Request.ContentLength})
	if err != nil {
		writeError(c, err)
		return
	}
	tusState(c, res.Upload, recordPath(res.Record))
	c.Status(http.StatusNoContent)
}

// tusDelete is DELETE /api/storage/tus/{id} (termination).
func (s *Server) tusDelete(c *gin.Context) {
	if err := s.app.TusTerminate.Handle(c.Request.Context(), application.TusTerminateCommand{Caller: caller(c), ID: c.Param("id")}); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// tusState sets the headers of an upload's state: Upload-Offset,
// Upload-Expires (expiration) and, once complete, Storage-File-Path.
func tusState(c *gin.Context, t *domain.TusUpload, filePath string) {
	setTusState(c.Writer.Header(), t, filePath)
}

func setTusState(h http.Header, t *domain.TusUpload, filePath string) {
	h.Set("Upload-Offset", strconv.FormatInt(t.Offset(), 10))
	h.Set("Upload-Expires", t.ExpiresAt().UTC().Format(http.TimeFormat))
	if filePath != "" {
		h.Set(headerFilePath, filePath)
	}
}

// tusCreated is the answer of a TUS creation: 201, the upload's URL and
// state (and its file's path once the creation's body completed it).
func tusCreated(t *domain.TusUpload, filePath string) domain.IdempotentAnswer {
	h := http.Header{}
	h.Set("Location", "/api/storage/tus/"+t.ID())
	setTusState(h, t, filePath)
	return domain.IdempotentAnswer{Status: http.StatusCreated, Header: keptHeaders(h)}
}

func recordPath(rec *domain.FileRecord) string {
	if rec == nil {
		return ""
	}
	return rec.Path().String()
}

func clipText(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
