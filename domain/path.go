package domain

import (
	"strings"
	"time"
)

// maxIDBytes bounds orgId and objectId segments.
const maxIDBytes = 64

// StoragePath is a validated path of the form
// {orgId}/{system}/{objectType}/{objectId}/{filename}. The zero value is not
// a valid path; build one with NewStoragePath or ParseStoragePath.
type StoragePath struct {
	org      string
	kind     Kind
	objectID string
	filename string
}

// PathSpec is what a caller supplies to build a new path. The org always comes
// from the caller's verified identity, never from a request body.
type PathSpec struct {
	OrgID      string
	System     string
	ObjectType string
	ObjectID   string
	Filename   string    // as the client sent it; it is sanitized
	Timestamp  time.Time // when non-zero, prefixes the filename (UTC)
}

// NewStoragePath validates the parts of spec and sanitizes its filename
// (which must be text: CheckText).
func NewStoragePath(spec PathSpec) (StoragePath, error) {
	if err := validateID("org_id", spec.OrgID); err != nil {
		return StoragePath{}, err
	}
	kind, err := ParseKind(spec.System, spec.ObjectType)
	if err != nil {
		return StoragePath{}, err
	}
	if err := validateID("object_id", spec.ObjectID); err != nil {
		return StoragePath{}, err
	}
	// The name as sent is kept (a record's original_filename), so it must
	// be storable text even though sanitizing would clean it.
	if err := CheckText("filename", spec.Filename); err != nil {
		return StoragePath{}, err
	}
	var name string
	if spec.Timestamp.IsZero() {
		name, err = SanitizeFilename(spec.Filename)
	} else {
		name, err = TimestampedFilename(spec.Filename, spec.Timestamp)
	}
	if err != nil {
		return StoragePath{}, err
	}
	return StoragePath{org: spec.OrgID, kind: kind, objectID: spec.ObjectID, filename: name}, nil
}

// ParseStoragePath strictly parses a path string sent by a client. A single
// leading slash is dropped. It refuses anything that is not already in
// canonical form: wrong segment count, empty segments, backslashes, control
// characters, percent signs, "..", unknown system or type, and filenames that
// sanitizing would change.
func ParseStoragePath(s string) (StoragePath, error) {
	s = strings.TrimPrefix(s, "/")
	if len(s) > 5*maxIDBytes+MaxFilenameBytes {
		return StoragePath{}, badPath("The path is too long.")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return StoragePath{}, badPath("The path contains a control character.")
		case c == '\\':
			return StoragePath{}, badPath("The path contains a backslash.")
		case c == '%':
			return StoragePath{}, badPath("The path contains a percent sign; send it decoded.")
		}
	}
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return StoragePath{}, badPath("A path has exactly five segments: {orgId}/{system}/{objectType}/{objectId}/{filename}.")
	}
	for _, p := range parts {
		if p == "" {
			return StoragePath{}, badPath("The path has an empty segment.")
		}
		if p == "." || p == ".." {
			return StoragePath{}, badPath("The path contains a relative segment.")
		}
	}
	if err := validateID("org_id", parts[0]); err != nil {
		return StoragePath{}, err
	}
	kind, err := ParseKind(parts[1], parts[2])
	if err != nil {
		return StoragePath{}, err
	}
	if err := validateID("object_id", parts[3]); err != nil {
		return StoragePath{}, err
	}
	clean, err := SanitizeFilename(parts[4])
	if err != nil || clean != parts[4] {
		return StoragePath{}, badPath("The filename segment is not in canonical form.")
	}
	return StoragePath{org: parts[0], kind: kind, objectID: parts[3], filename: parts[4]}, nil
}

// MustParseStoragePath is ParseStoragePath for trusted literals in tests and
// fixtures; it panics on error.
func MustParseStoragePath(s string) StoragePath {
	p, err := ParseStoragePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

func (p StoragePath) String() string {
	if p.IsZero() {
		return ""
	}
	return p.org + "/" + string(p.kind.System) + "/" + string(p.kind.ObjectType) + "/" + p.objectID + "/" + p.filename
}

// IsZero reports whether p is the zero value.
func (p StoragePath) IsZero() bool { return p.org == "" }

func (p StoragePath) OrgID() string          { return p.org }
func (p StoragePath) Kind() Kind             { return p.kind }
func (p StoragePath) System() System         { return p.kind.System }
func (p StoragePath) ObjectType() ObjectType { return p.kind.ObjectType }
func (p StoragePath) ObjectID() string       { return p.objectID }
func (p StoragePath) Filename() string       { return p.filename }

// BelongsTo reports whether the path lies in org's namespace.
func (p StoragePath) BelongsTo(org string) bool { return p.org != "" && p.org == org }

// ValidateID checks an org or object id: 1–64 characters of [A-Za-z0-9_-],
// starting with a letter or digit. field names the input in the error.
func ValidateID(field, id string) error { return validateID(field, id) }

func validateID(field, id string) error {
	if id == "" || len(id) > maxIDBytes {
		return Errorf(ErrInvalid, "invalid_"+field, "%s must be 1 to %d characters long.", field, maxIDBytes)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return Errorf(ErrInvalid, "invalid_"+field, "%s must start with a letter or digit.", field)
		}
		if !alnum && c != '_' && c != '-' {
			return Errorf(ErrInvalid, "invalid_"+field, "%s may contain only letters, digits, '_' and '-'.", field)
		}
	}
	return nil
}

func badPath(msg string) error { return Errorf(ErrInvalid, "invalid_path", "%s", msg) }
