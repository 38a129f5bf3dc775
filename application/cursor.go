package application

import (
	"encoding/base64"
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
	return parts, nil
}

func badCursor() error {
	return domain.Errorf(domain.ErrInvalid, "invalid_cursor", "The cursor is not valid; start again without it.")
}

func encodeAuditCursor(c AuditCursor) string {
	return encodeCursor(c.Timestamp.UTC().Format(time.RFC3339Nano), c.ID)
}

func decodeAuditCursor(s string) (*AuditCursor, error) {
	parts, err := decodeCursor(s, 2)
	if err != nil {
		return nil, err
	}
	ts, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil || parts[1] == "" {
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
