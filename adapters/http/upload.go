package httpapi

import (
	"context"
	"io"
	"net/http"
	"strings"

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

// upload is POST /api/storage/upload. An app-builder file is held to
// app-zip-upload's rules: a .zip name and a readable, bounded archive.
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
// always timestamped, images and PDF only.
func (s *Server) receiptUpload(c *gin.Context) {
	s.serveUpload(c, receiptForm, func(u *formUpload, cmd *application.UploadCommand) error {
		cmd.System, cmd.ObjectType, cmd.ObjectID = string(domain.SystemAccounting), string(domain.TypeReceipt), u.fields["object_id"]
		cmd.AddTimestamp = true
		rule := s.receipt
		cmd.Rule = &rule
		return nil
	})
}

// appZipUpload is POST /api/storage/app-zip-upload: app-builder source
// (default) or build. A name not ending in .zip is refused before the body
// is read (400); content that is not a readable zip archive is 415.
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
	rec, err := s.runUpload(c, form, fill)
	if err != nil {
		c.Header("Connection", "close")
		writeError(c, err)
		return
	}
	p := rec.Path()
	s.opts.Observer.Upload(string(p.System()), string(p.ObjectType()), rec.Content().SizeBytes)
	c.JSON(http.StatusCreated, recordJSON(rec))
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
	if cmd.System == string(domain.SystemAppBuilder) { // on every route, app-zip-upload's rules
		if err := checkZipName(cmd.System, u.filename); err != nil {
			return nil, err
		}
		cmd.Verify = verifyZip
	}
	check := cmd.Verify
	cmd.Verify = func(ctx context.Context, r io.ReaderAt, size int64) error {
		if err := u.end(); err != nil {
			return err
		}
		if check != nil {
			return check(ctx, r, size)
		}
		return nil
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

// receiptKind is where receipt-upload stores.
var receiptKind = domain.Kind{System: domain.SystemAccounting, ObjectType: domain.TypeReceipt}

// receiptRule narrows the configured receipt rule to images and PDF, as
// receipt-upload promises whatever the configuration allows otherwise.
func receiptRule(rules map[domain.Kind]domain.ContentRule) domain.ContentRule {
	r, ok := rules[receiptKind]
	if !ok {
		r = domain.DefaultContentRules()[receiptKind]
	}
	var allowed []string
	for _, pat := range r.Allowed {
		one := domain.ContentRule{Allowed: []string{pat}}
		switch {
		case strings.HasPrefix(strings.ToLower(pat), "image/"):
			allowed = append(allowed, pat)
		case one.Allows("image/png"): // */* or a wildcard as wide
			allowed = append(allowed, "image/*")
		}
		if one.Allows("application/pdf") {
			allowed = append(allowed, "application/pdf")
		}
	}
	return domain.ContentRule{MaxBytes: r.MaxBytes, Allowed: allowed}
}
