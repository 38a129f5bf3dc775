package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

var (
	genericForm = uploadForm{required: []string{"system", "object_type", "object_id"},
		optional: []string{"add_timestamp", "overwrite"}}
	receiptForm = uploadForm{required: []string{"object_id"}}
	appZipForm  = uploadForm{required: []string{"object_id"}, optional: []string{"object_type", "overwrite"}}
)

// upload is POST /api/storage/upload. An app-builder file is held to its
// kind's rule like on app-zip-upload (the use case applies it).
func (s *Server) upload(c *gin.Context) {
	s.serveUpload(c, genericForm, func(u *formUpload, cmd *application.UploadCommand) error {
		cmd.System, cmd.ObjectType, cmd.ObjectID = u.fields["system"], u.fields["object_type"], u.fields["object_id"]
		var err error
		if cmd.AddTimestamp, err = optionalBool(u.fields, "add_timestamp"); err != nil {
			return err
		}
		cmd.Overwrite, err = optionalBool(u.fields, "overwrite")
		return err
	})
}

// receiptUpload is POST /api/storage/receipt-upload: accounting/receipt,
// always timestamped, and a receipt upload, so images and PDF only (the
// use case narrows the rule).
func (s *Server) receiptUpload(c *gin.Context) {
	s.serveUpload(c, receiptForm, func(u *formUpload, cmd *application.UploadCommand) error {
		cmd.System, cmd.ObjectType, cmd.ObjectID = string(domain.SystemAccounting), string(domain.TypeReceipt), u.fields["object_id"]
		cmd.AddTimestamp, cmd.Receipt = true, true
		return nil
	})
}

// appZipUpload is POST /api/storage/app-zip-upload: app-builder source
// (default) or build, whose rule (a .zip name, a readable, bounded
// archive) the use case applies.
func (s *Server) appZipUpload(c *gin.Context) {
	s.serveUpload(c, appZipForm, func(u *formUpload, cmd *application.UploadCommand) error {
		cmd.System, cmd.ObjectType, cmd.ObjectID = string(domain.SystemAppBuilder), string(domain.TypeSource), u.fields["object_id"]
		if t, ok := u.fields["object_type"]; ok {
			cmd.ObjectType = t
		}
		var err error
		cmd.Overwrite, err = optionalBool(u.fields, "overwrite")
		return err
	})
}

// serveUpload reads the form up to its file part, lets fill complete the
// command, and streams the file into the Upload use case. Any failure
// closes the connection, so a refused body is never read to its end.
func (s *Server) serveUpload(c *gin.Context, form uploadForm, fill func(*formUpload, *application.UploadCommand) error) {
	answer := fileAnswer(http.StatusCreated)
	s.answerInTx(c, answer)
	rec, err := s.runUpload(c, form, fill)
	if err != nil {
		c.Header("Connection", "close")
		writeError(c, err)
		return
	}
	p := rec.Path()
	s.opts.Observer.Upload(string(p.System()), string(p.ObjectType()), rec.Content().SizeBytes)
	a, _ := answer(rec)
	writeAnswer(c, a)
}

func (s *Server) runUpload(c *gin.Context, form uploadForm, fill func(*formUpload, *application.UploadCommand) error) (*domain.FileRecord, error) {
	u, err := s.readUpload(c, form)
	if err != nil {
		return nil, err
	}
	cmd := application.UploadCommand{Caller: caller(c), Filename: u.filename, Body: u.body, DeclaredSize: u.declared}
	if err := fill(u, &cmd); err != nil {
		return nil, err
	}
	return s.app.Upload.Handle(c.Request.Context(), cmd)
}

// optionalBool reads an optional boolean form field (false when absent).
func optionalBool(fields map[string]string, name string) (bool, error) {
	v, ok := fields[name]
	if !ok {
		return false, nil
	}
	return parseBool(name, v)
}
