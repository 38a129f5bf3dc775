package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"storagegw/domain"
)

// The JSON shapes of SPEC §4. They never leave this package.

type fileRecordJSON struct {
	FilePath         string  `json:"file_path"`
	OrgID            string  `json:"org_id"`
	System           string  `json:"system"`
	ObjectType       string  `json:"object_type"`
	ObjectID         string  `json:"object_id"`
	Filename         string  `json:"filename"`
	OriginalFilename string  `json:"original_filename"`
	ContentType      string  `json:"content_type"`
	SizeBytes        int64   `json:"size_bytes"`
	SHA256           string  `json:"sha256"`
	UploadedBy       string  `json:"uploaded_by"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
	Deleted          bool    `json:"deleted"`
	DeletedAt        *string `json:"deleted_at"`
	DeletedBy        *string `json:"deleted_by"`
}

func recordJSON(r *domain.FileRecord) fileRecordJSON {
	p, content := r.Path(), r.Content()
	out := fileRecordJSON{
		FilePath: p.String(), OrgID: p.OrgID(), System: string(p.System()), ObjectType: string(p.ObjectType()),
		ObjectID: p.ObjectID(), Filename: p.Filename(), OriginalFilename: r.OriginalFilename(),
		ContentType: content.ContentType, SizeBytes: content.SizeBytes, SHA256: content.SHA256,
		UploadedBy: r.UploadedBy(), CreatedAt: timeJSON(r.CreatedAt()), UpdatedAt: timeJSON(r.UpdatedAt()),
		Deleted: r.Deleted(),
	}
	if r.Deleted() {
		at, by := timeJSON(r.DeletedAt()), r.DeletedBy()
		out.DeletedAt, out.DeletedBy = &at, &by
	}
	return out
}

type auditEventJSON struct {
	ID                string         `json:"id"`
	Timestamp         string         `json:"timestamp"`
	UserID            string         `json:"user_id"`
	UserRole          string         `json:"user_role"`
	OrgID             string         `json:"org_id"`
	IPAddress         string         `json:"ip_address"`
	UserAgent         string         `json:"user_agent"`
	ActionType        string         `json:"action_type"`
	FilePath          string         `json:"file_path"`
	RelatedObjectType string         `json:"related_object_type"`
	RelatedObjectID   string         `json:"related_object_id"`
	Metadata          map[string]any `json:"metadata"`
	Success           bool           `json:"success"`
	ErrorMessage      *string        `json:"error_message"`
}

func auditJSON(e *domain.AuditEvent) auditEventJSON {
	d := e.Data()
	out := auditEventJSON{
		ID: d.ID, Timestamp: timeJSON(d.Timestamp), UserID: d.Actor.UserID, UserRole: string(d.Actor.Role),
		OrgID: d.Actor.OrgID, IPAddress: d.Actor.IP, UserAgent: d.Actor.UserAgent, ActionType: string(d.Action),
		FilePath: d.FilePath, RelatedObjectType: d.RelatedObjectType, RelatedObjectID: d.RelatedObjectID,
		Metadata: d.Metadata, Success: d.Success,
	}
	if out.Metadata == nil {
		out.Metadata = map[string]any{}
	}
	if !d.Success {
		out.ErrorMessage = &d.ErrorMessage
	}
	return out
}

// pageJSON is a page of a listing.
type pageJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func page[T any](items []T, next string) pageJSON[T] {
	p := pageJSON[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if next != "" {
		p.NextCursor = &next
	}
	return p
}

// timeJSON renders a time as RFC 3339 in UTC.
func timeJSON(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// decodeJSON reads a JSON request body of at most MaxJSONBytes into dst,
// strictly: one object, no unknown fields, nothing after it, and valid
// UTF-8 (encoding/json would quietly turn an invalid byte into U+FFFD;
// NUL and other control characters, escaped, are the use cases' to
// refuse: domain.CheckText).
func (s *Server) decodeJSON(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxJSONBytes))
	if err == nil && !utf8.Valid(raw) {
		return errorf(domain.ErrInvalid, "invalid_text", "The JSON body is not valid UTF-8 text.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(dst)
	}
	if err == nil {
		if err = dec.Decode(&struct{}{}); err == io.EOF {
			return nil
		}
		return errorf(domain.ErrInvalid, "invalid_json", "The body must hold exactly one JSON object.")
	}
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return errorf(domain.ErrTooLarge, "body_too_large", "The JSON body is larger than %s.", domain.FormatSize(s.opts.MaxJSONBytes))
	case errors.Is(err, io.EOF):
		return errorf(domain.ErrInvalid, "invalid_json", "A JSON body is required.")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return errorf(domain.ErrInvalid, "invalid_json", "The field %q has the wrong type.", typeErr.Field)
	}
	if name, ok := unknownField(err); ok {
		return errorf(domain.ErrInvalid, "unknown_field",
			"The body has a field %s, which this endpoint does not take; check its spelling against the API reference.", quoteName(name))
	}
	return errorf(domain.ErrInvalid, "invalid_json", "The body is not valid JSON.")
}

// unknownField recognises the error DisallowUnknownFields produces and
// returns the field it names; encoding/json has no typed error for it.
func unknownField(err error) (string, bool) {
	quoted, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	if name, uerr := strconv.Unquote(quoted); uerr == nil {
		return name, true
	}
	return quoted, true
}
