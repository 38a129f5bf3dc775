package application

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"storagegw/domain"
)

// Cursors are opaque to clients: base64url of the position they stand for.

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\n")))
}

func decodeCursor(s string, n int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 2048 {
		return nil, badCursor()
	}
	parts := strings.Split(string(raw), "\n")
	if len(parts) != n {
		return nil, badCursor()
	}
	// A cursor is the client's text like any other: what it decodes to
	// must be text too before it reaches a query.
	for _, p := range parts {
		if domain.CheckText("cursor", p) != nil {
			return nil, badCursor()
		}
	}
	return parts, nil
}

func badCursor() error {
	return domain.Errorf(domain.ErrInvalid, "invalid_cursor", "The cursor is not valid; start again without it.")
}

// An audit cursor carries a tag of the filters of the query that issued
// it, so that it cannot continue another query (whose order it does not
// fit): the filters of q, hashed (the org is implied by the caller).
func auditFilterTag(q AuditQuery) string {
	success := ""
	if q.Success != nil {
		success = strconv.FormatBool(*q.Success)
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	h := sha256.Sum256([]byte(strings.Join([]string{q.UserID, string(q.Action), q.FilePath,
		q.RelatedObjectType, q.RelatedObjectID, success, stamp(q.From), stamp(q.To)}, "\x00")))
	return hex.EncodeToString(h[:8])
}

func encodeAuditCursor(c AuditCursor, q AuditQuery) string {
	return encodeCursor(c.Timestamp.UTC().Format(time.RFC3339Nano), c.ID, auditFilterTag(q))
}

func decodeAuditCursor(s string, q AuditQuery) (*AuditCursor, error) {
	parts, err := decodeCursor(s, 3)
	if err != nil {
		return nil, err
	}
	ts, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil || parts[1] == "" || parts[2] != auditFilterTag(q) {
		return nil, badCursor()
	}
	return &AuditCursor{Timestamp: ts, ID: parts[1]}, nil
}

// pageLimit resolves a requested page size: none (nil) means def;
// anything outside 1…max is refused.
func pageLimit(requested *int, def, max int) (int, error) {
	switch {
	case requested == nil:
		return def, nil
	case *requested < 1 || *requested > max:
		return 0, domain.Errorf(domain.ErrInvalid, "invalid_limit", "limit must be between 1 and %d.", max)
	}
	return *requested, nil
}
