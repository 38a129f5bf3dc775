package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

type initiateRequest struct {
	System       string `json:"system"`
	ObjectType   string `json:"object_type"`
	ObjectID     string `json:"object_id"`
	Filename     string `json:"filename"`
	Size         *int64 `json:"size"`
	ContentType  string `json:"content_type"`
	AddTimestamp bool   `json:"add_timestamp"`
	Overwrite    bool   `json:"overwrite"`
	PartSize     int64  `json:"part_size"`
}

type uploadSessionJSON struct {
	UploadID  string `json:"upload_id"`
	FilePath  string `json:"file_path"`
	Size      int64  `json:"size"`
	PartSize  int64  `json:"part_size"`
	PartCount int    `json:"part_count"`
	ExpiresAt string `json:"expires_at"`
}

// initiateMultipart is POST /api/storage/multipart/initiate.
func (s *Server) initiateMultipart(c *gin.Context) {
	var req initiateRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.Size == nil {
		writeError(c, errorf(domain.ErrInvalid, "invalid_size", "size (the file's size in bytes) is required."))
		return
	}
	// The answer is the session alone (part URLs are asked for apart, at
	// /multipart/parts): it is known in the change's transaction.
	answer := func(result any) (domain.IdempotentAnswer, bool) {
		sess, ok := result.(*domain.UploadSession)
		if !ok || sess == nil {
			return domain.IdempotentAnswer{}, false
		}
		plan := sess.Plan()
		return jsonAnswer(http.StatusCreated, uploadSessionJSON{UploadID: sess.ID(), FilePath: sess.Path().String(),
			Size: sess.DeclaredSize(), PartSize: plan.Size, PartCount: plan.Count, ExpiresAt: timeJSON(sess.ExpiresAt())}), true
	}
	s.answerInTx(c, answer)
	sess, err := s.app.InitiateMultipart.Handle(c.Request.Context(), application.InitiateMultipartCommand{
		Caller: caller(c), System: req.System, ObjectType: req.ObjectType, ObjectID: req.ObjectID,
		Filename: req.Filename, Size: *req.Size, ContentType: req.ContentType,
		AddTimestamp: req.AddTimestamp, Overwrite: req.Overwrite, PartSize: req.PartSize,
	})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(sess)
	writeAnswer(c, a)
}

type partURLsRequest struct {
	UploadID    string `json:"upload_id"`
	PartNumbers []int  `json:"part_numbers"`
	From        *int   `json:"from"`
	To          *int   `json:"to"`
}

type partURLJSON struct {
	PartNumber int    `json:"part_number"`
	URL        string `json:"url"`
	Size       int64  `json:"size"`
	ExpiresAt  string `json:"expires_at"`
}

type partURLsResponse struct {
	Parts []partURLJSON `json:"parts"`
}

// multipartPartURLs is POST /api/storage/multipart/parts: part_numbers,
// or the range from..to (inclusive).
func (s *Server) multipartPartURLs(c *gin.Context) {
	var req partURLsRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	numbers, err := req.numbers()
	if err != nil {
		writeError(c, err)
		return
	}
	urls, err := s.app.MultipartPartURLs.Handle(c.Request.Context(),
		application.PartURLsCommand{Caller: caller(c), UploadID: req.UploadID, Parts: numbers})
	if err != nil {
		writeError(c, err)
		return
	}
	out := partURLsResponse{Parts: make([]partURLJSON, len(urls))}
	for i, u := range urls {
		out.Parts[i] = partURLJSON{PartNumber: u.Number, URL: u.URL, Size: u.Size, ExpiresAt: timeJSON(u.ExpiresAt)}
	}
	c.JSON(http.StatusOK, out)
}

// numbers returns the part numbers asked for: the list, or the range.
func (r partURLsRequest) numbers() ([]int, error) {
	switch {
	case r.PartNumbers != nil && r.From == nil && r.To == nil:
		return r.PartNumbers, nil
	case r.PartNumbers == nil && r.From != nil && r.To != nil && *r.From <= *r.To &&
		*r.To-*r.From < application.MaxPartURLsPerRequest:
		out := make([]int, 0, *r.To-*r.From+1)
		for n := *r.From; n <= *r.To; n++ {
			out = append(out, n)
		}
		return out, nil
	}
	return nil, errorf(domain.ErrInvalid, "invalid_part_numbers",
		"Ask for part_numbers, or for a range from..to of at most %d parts.", application.MaxPartURLsPerRequest)
}

type completeRequest struct {
	UploadID string `json:"upload_id"`
	Parts    []struct {
		PartNumber int    `json:"part_number"`
		ETag       string `json:"etag"`
	} `json:"parts"`
}

// completeMultipart is POST /api/storage/multipart/complete.
func (s *Server) completeMultipart(c *gin.Context) {
	var req completeRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	parts := make([]domain.PartRef, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = domain.PartRef{Number: p.PartNumber, ETag: p.ETag}
	}
	answer := fileAnswer(http.StatusCreated)
	s.answerInTx(c, answer)
	rec, err := s.app.CompleteMultipart.Handle(c.Request.Context(), application.CompleteMultipartCommand{
		Caller: caller(c), UploadID: req.UploadID, Parts: parts})
	if err != nil {
		writeError(c, err)
		return
	}
	p := rec.Path()
	s.opts.Observer.Upload(string(p.System()), string(p.ObjectType()), rec.Content().SizeBytes)
	a, _ := answer(rec)
	writeAnswer(c, a)
}

type abortRequest struct {
	UploadID string `json:"upload_id"`
}

type abortResponse struct {
	UploadID string `json:"upload_id"`
	Aborted  bool   `json:"aborted"`
}

// abortMultipart is POST /api/storage/multipart/abort.
func (s *Server) abortMultipart(c *gin.Context) {
	var req abortRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	answer := func(any) (domain.IdempotentAnswer, bool) {
		return jsonAnswer(http.StatusOK, abortResponse{UploadID: req.UploadID, Aborted: true}), true
	}
	s.answerInTx(c, answer)
	err := s.app.AbortMultipart.Handle(c.Request.Context(),
		application.AbortMultipartCommand{Caller: caller(c), UploadID: req.UploadID})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(nil)
	writeAnswer(c, a)
}
