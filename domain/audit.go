package domain

import (
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"
)

// Action is what an audit event records.
type Action string

// The audited actions (SPEC §2).
const (
	ActionUpload             Action = "UPLOAD"
	ActionView               Action = "VIEW"
	ActionEdit               Action = "EDIT"
	ActionDelete             Action = "DELETE"
	ActionSignedURLGenerated Action = "SIGNED_URL_GENERATED"
	ActionDownload           Action = "DOWNLOAD"
	ActionList               Action = "LIST"
	ActionRestore            Action = "RESTORE"
	ActionPurge              Action = "PURGE"
	ActionAuditQuery         Action = "AUDIT_QUERY"
	// The steps of a multipart upload but its completion, which is an
	// UPLOAD or EDIT like any upload.
	ActionMultipartInitiate Action = "MULTIPART_INITIATE"
	ActionMultipartPartURLs Action = "MULTIPART_PART_URLS"
	ActionMultipartAbort    Action = "MULTIPART_ABORT"
	// The steps of a TUS upload that the multipart actions do not name:
	// a PATCH that stored bytes without completing the upload, a HEAD.
	ActionTusPatch  Action = "TUS_PATCH"
	ActionTusStatus Action = "TUS_STATUS"
	// ActionMultipartListParts lists the parts a multipart upload holds.
	ActionMultipartListParts Action = "MULTIPART_LIST_PARTS"
	// ActionUploadCapability hands out an upload capability
	// (UploadCapability): a URL that uploads without a token.
	ActionUploadCapability Action = "UPLOAD_CAPABILITY_ISSUED"
	// ActionLinkRevoked revokes one signed URL's link, or every link of a
	// file.
	ActionLinkRevoked Action = "LINK_REVOKED"
	// ActionUsageQuery reads the org's storage usage and quota.
	ActionUsageQuery Action = "USAGE_QUERY"
	// ActionLegalHoldSet and ActionLegalHoldCleared set and clear a legal
	// hold on a file or an object; ActionLegalHoldQuery lists the org's.
	ActionLegalHoldSet     Action = "LEGAL_HOLD_SET"
	ActionLegalHoldCleared Action = "LEGAL_HOLD_CLEARED"
	ActionLegalHoldQuery   Action = "LEGAL_HOLD_QUERY"
)

// Actions lists every action in a stable order.
func Actions() []Action {
	return []Action{ActionUpload, ActionView, ActionEdit, ActionDelete, ActionSignedURLGenerated,
		ActionDownload, ActionList, ActionRestore, ActionPurge, ActionAuditQuery,
		ActionMultipartInitiate, ActionMultipartPartURLs, ActionMultipartAbort, ActionTusPatch, ActionTusStatus,
		ActionMultipartListParts, ActionUploadCapability, ActionLinkRevoked, ActionUsageQuery,
		ActionLegalHoldSet, ActionLegalHoldCleared, ActionLegalHoldQuery}
}

// ParseAction accepts one of Actions.
func ParseAction(s string) (Action, error) {
	for _, a := range Actions() {
		if string(a) == s {
			return a, nil
		}
	}
	return "", Errorf(ErrInvalid, "invalid_action_type", "Unknown action_type %q.", clip(s))
}

// SystemActor is the user id recorded for work the service does on its own
// (the retention purge, reconciliation).
const SystemActor = "system"

// Actor is who caused an audited event and from where.
type Actor struct {
	UserID    string
	Role      Role
	OrgID     string
	IP        string
	UserAgent string
}

// AuditEvent is one immutable line of the audit trail. It never holds file
// contents or secrets.
type AuditEvent struct {
	d AuditEventData
}

// AuditEventData is an AuditEvent's state as adapters persist it.
type AuditEventData struct {
	ID                string
	Timestamp         time.Time
	Actor             Actor
	Action            Action
	FilePath          string // may be empty (lists, audit queries) or a refused, unparsed input
	RelatedObjectType string
	RelatedObjectID   string
	Metadata          map[string]any
	Success           bool
	ErrorMessage      string
}

const maxAuditText = 1024

// NewAuditEvent validates an event. A failed event must say why.
func NewAuditEvent(d AuditEventData) (*AuditEvent, error) {
	if d.ID == "" || d.Timestamp.IsZero() {
		return nil, Errorf(ErrInvalid, "invalid_audit_event", "An audit event needs an id and a timestamp.")
	}
	if _, err := ParseAction(string(d.Action)); err != nil {
		return nil, err
	}
	if d.Actor.UserID == "" {
		return nil, Errorf(ErrInvalid, "invalid_audit_event", "An audit event needs an actor.")
	}
	if d.Success {
		d.ErrorMessage = ""
	} else if d.ErrorMessage == "" {
		return nil, Errorf(ErrInvalid, "invalid_audit_event", "A failed audit event needs an error message.")
	}
	d.Timestamp = d.Timestamp.UTC()
	d.FilePath = truncate(sanitizeForMessage(d.FilePath), maxAuditText)
	d.RelatedObjectType = truncate(sanitizeForMessage(d.RelatedObjectType), maxAuditText)
	d.RelatedObjectID = truncate(sanitizeForMessage(d.RelatedObjectID), maxAuditText)
	d.ErrorMessage = truncate(escapeText(d.ErrorMessage), maxAuditText)
	d.Actor.UserAgent = truncate(sanitizeForMessage(d.Actor.UserAgent), 512)
	d.Metadata = cleanMetadata(d.Metadata)
	return &AuditEvent{d: d}, nil
}

// cleanMetadata copies m with every string in it (keys included, in nested
// maps and lists too) passed through escapeText and bounded, so client text
// that reached the metadata (a prefix, an upload id, a file name) can never
// make a database refuse the event: PostgreSQL refuses NUL and invalid
// UTF-8 in text and JSON.
func cleanMetadata(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[truncate(escapeText(k), maxAuditText)] = cleanValue(v)
	}
	return out
}

func cleanValue(v any) any {
	switch v := v.(type) {
	case string:
		return truncate(escapeText(v), maxAuditText)
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = truncate(escapeText(s), maxAuditText)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cleanValue(x)
		}
		return out
	case map[string]any:
		return cleanMetadata(v)
	}
	return v
}

// escapeText returns s unchanged when it is valid UTF-8 without control
// characters; otherwise it escapes, Go-style, every control character and
// invalid byte (\x00) and every backslash (\\), so the text is kept, is
// readable, and is valid in any database.
func escapeText(s string) string {
	if isPlainText(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// RehydrateAuditEvent rebuilds an event loaded from storage.
func RehydrateAuditEvent(d AuditEventData) *AuditEvent { return &AuditEvent{d: d} }

// Data returns a copy of the event for persisting or presenting.
func (e *AuditEvent) Data() AuditEventData {
	d := e.d
	d.Metadata = maps.Clone(d.Metadata)
	return d
}

func (e *AuditEvent) ID() string           { return e.d.ID }
func (e *AuditEvent) Timestamp() time.Time { return e.d.Timestamp }
func (e *AuditEvent) Action() Action       { return e.d.Action }
func (e *AuditEvent) Success() bool        { return e.d.Success }

// truncate returns valid UTF-8 of at most n bytes, never cutting a rune in
// half (a database text column refuses invalid UTF-8).
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
