package domain

import (
	"strings"
	"time"
)

// The lifetimes an upload capability may have.
const (
	MinCapabilityTTL = time.Minute
	MaxCapabilityTTL = time.Hour
)

// UploadCapability is the right, handed out to an authenticated member, to
// upload files to one target (an org's system, object type and object id,
// optionally one file name, optionally up to a size) for a few minutes,
// without a bearer token: browser clients that cannot send headers (Uppy's
// Companion protocol) carry it in a URL. Whoever holds it acts as the
// principal who obtained it, for uploads to that target only, and is
// audited as that principal. The zero value is not valid; build one with
// NewUploadCapability or RehydrateUploadCapability.
type UploadCapability struct {
	d UploadCapabilityData
}

// UploadCapabilityData is the state of an upload capability.
type UploadCapabilityData struct {
	ID        string    // random, for audit correlation
	Principal Principal // who obtained it
	Kind      Kind
	ObjectID  string
	// Filename, when set, is the only (sanitized) name uploads may have.
	Filename string
	// MaxBytes, when positive, bounds each upload below the kind's limit.
	MaxBytes int64
	// PartSize, when positive, is the part size multipart uploads use
	// (domain.PlanProposedParts).
	PartSize     int64
	AddTimestamp bool
	Overwrite    bool
	ExpiresAt    time.Time
}

// UploadCapabilityRequest is what a caller asks a capability for.
type UploadCapabilityRequest struct {
	ID                           string
	System, ObjectType, ObjectID string
	Filename                     string // optional
	MaxBytes, PartSize           int64  // optional (0)
	AddTimestamp, Overwrite      bool
}

// NewUploadCapability grants p the capability r asks for, valid for ttl
// from now. p must be allowed to upload (ErrForbidden); the target must be
// a valid kind and object id, the file name one that sanitizes, the size
// limit and part size not negative, the part size from MinPartBytes to
// MaxPartBytes, and ttl from MinCapabilityTTL to MaxCapabilityTTL
// (ErrInvalid).
func NewUploadCapability(p Principal, r UploadCapabilityRequest, now time.Time, ttl time.Duration) (*UploadCapability, error) {
	if err := p.Authorize(PermUpload); err != nil {
		return nil, err
	}
	kind, err := ParseKind(r.System, r.ObjectType)
	if err != nil {
		return nil, err
	}
	if err := validateID("object_id", r.ObjectID); err != nil {
		return nil, err
	}
	name := ""
	if r.Filename != "" {
		if err := CheckText("filename", r.Filename); err != nil {
			return nil, err
		}
		if name, err = SanitizeFilename(r.Filename); err != nil {
			return nil, err
		}
	}
	if ttl < MinCapabilityTTL || ttl > MaxCapabilityTTL {
		return nil, Errorf(ErrInvalid, "invalid_expires_in", "expires_in must be from %d to %d seconds.",
			int(MinCapabilityTTL.Seconds()), int(MaxCapabilityTTL.Seconds()))
	}
	return RehydrateUploadCapability(UploadCapabilityData{ID: r.ID, Principal: p, Kind: kind, ObjectID: r.ObjectID,
		Filename: name, MaxBytes: r.MaxBytes, PartSize: r.PartSize, AddTimestamp: r.AddTimestamp, Overwrite: r.Overwrite,
		ExpiresAt: now.UTC().Add(ttl)})
}

// RehydrateUploadCapability rebuilds a capability from its sealed token's
// fields (or from NewUploadCapability's).
func RehydrateUploadCapability(d UploadCapabilityData) (*UploadCapability, error) {
	switch {
	case d.ID == "" || d.ExpiresAt.IsZero() || d.Principal.UserID == "":
		return nil, Errorf(ErrInvalid, "invalid_capability", "A capability needs an id, a principal and an expiry.")
	case validateID("org_id", d.Principal.OrgID) != nil || validateID("object_id", d.ObjectID) != nil:
		return nil, Errorf(ErrInvalid, "invalid_capability", "A capability needs a valid org and object id.")
	case d.MaxBytes < 0:
		return nil, Errorf(ErrInvalid, "invalid_max_size", "max_size must be a positive number of bytes.")
	case d.PartSize != 0 && (d.PartSize < MinPartBytes || d.PartSize > MaxPartBytes):
		return nil, Errorf(ErrInvalid, "invalid_part_size", "part_size must be from %d to %d bytes.",
			int64(MinPartBytes), int64(MaxPartBytes))
	}
	if _, err := ParseKind(string(d.Kind.System), string(d.Kind.ObjectType)); err != nil {
		return nil, err
	}
	if d.Filename != "" {
		if clean, err := SanitizeFilename(d.Filename); err != nil || clean != d.Filename {
			return nil, Errorf(ErrInvalid, "invalid_capability", "A capability's file name must be sanitized.")
		}
	}
	return &UploadCapability{d: d}, nil
}

// Data returns a copy of the capability's state, for sealing.
func (c *UploadCapability) Data() UploadCapabilityData { return c.d }

func (c *UploadCapability) ID() string           { return c.d.ID }
func (c *UploadCapability) Principal() Principal { return c.d.Principal }
func (c *UploadCapability) Kind() Kind           { return c.d.Kind }
func (c *UploadCapability) ObjectID() string     { return c.d.ObjectID }
func (c *UploadCapability) Filename() string     { return c.d.Filename }
func (c *UploadCapability) MaxBytes() int64      { return c.d.MaxBytes }
func (c *UploadCapability) PartSize() int64      { return c.d.PartSize }
func (c *UploadCapability) AddTimestamp() bool   { return c.d.AddTimestamp }
func (c *UploadCapability) Overwrite() bool      { return c.d.Overwrite }
func (c *UploadCapability) ExpiresAt() time.Time { return c.d.ExpiresAt }

// Redeem checks that the capability may still be used at now: it has not
// expired (ErrForbidden, capability_expired) and its holder's role still
// allows uploads.
func (c *UploadCapability) Redeem(now time.Time) error {
	if !now.Before(c.d.ExpiresAt) {
		return Errorf(ErrForbidden, "capability_expired",
			"The upload capability expired at %s; ask the gateway for a new one (POST /api/storage/upload-capabilities).",
			c.d.ExpiresAt.Format(time.RFC3339))
	}
	return c.d.Principal.Authorize(PermUpload)
}

// CheckUpload checks a new upload of a file named filename, of size bytes
// (-1: not known yet), against the capability's target: a capability for
// one file name refuses others (ErrForbidden, capability_target), and one
// with a size limit refuses larger files (ErrTooLarge).
func (c *UploadCapability) CheckUpload(filename string, size int64) error {
	if c.d.Filename != "" {
		if clean, err := SanitizeFilename(filename); err != nil || clean != c.d.Filename {
			return Errorf(ErrForbidden, "capability_target", "This upload capability is for a file named %s only.", c.d.Filename)
		}
	}
	if c.d.MaxBytes > 0 && size > c.d.MaxBytes {
		return c.tooLarge()
	}
	return nil
}

func (c *UploadCapability) tooLarge() error {
	return Errorf(ErrTooLarge, "file_too_large", "This upload capability allows files of at most %s.", FormatSize(c.d.MaxBytes))
}

// Spec is the path of an upload of filename under the capability: its
// holder's org and its target.
func (c *UploadCapability) Spec(filename string) PathSpec {
	return PathSpec{OrgID: c.d.Principal.OrgID, System: string(c.d.Kind.System), ObjectType: string(c.d.Kind.ObjectType),
		ObjectID: c.d.ObjectID, Filename: filename}
}

// Covers reports whether p is a path the capability may upload to: its
// org, kind and object id, and its file name when it names one (after a
// timestamp prefix when it adds them).
func (c *UploadCapability) Covers(p StoragePath) bool {
	if !p.BelongsTo(c.d.Principal.OrgID) || p.Kind() != c.d.Kind || p.ObjectID() != c.d.ObjectID {
		return false
	}
	if c.d.Filename == "" || p.Filename() == c.d.Filename {
		return true
	}
	name := p.Filename()
	if !c.d.AddTimestamp || len(name) <= len(TimestampLayout) {
		return false
	}
	if _, err := time.Parse(TimestampLayout, name[:len(TimestampLayout)]); err != nil {
		return false
	}
	return strings.TrimPrefix(name[len(TimestampLayout):], "_") == strings.TrimPrefix(c.d.Filename, "_")
}

// PostKey is the key the capability hands a client for a file it posts
// whole (Uppy's /s3/params): the path the file will be stored at, which
// Uppy then reports as the upload's key, as S3 would. When the capability
// adds timestamps the path is known only once the file is stored, and the
// key is the file's name.
func (c *UploadCapability) PostKey(filename string) (string, error) {
	if c.d.AddTimestamp {
		return filename, nil
	}
	p, err := NewStoragePath(c.Spec(filename))
	if err != nil {
		return "", err
	}
	return p.String(), nil
}

// PostFilename is the file name a posted key stands for: the name in a
// path the capability covers (a PostKey), else the key itself, a file name.
func (c *UploadCapability) PostFilename(key string) string {
	if p, err := ParseStoragePath(key); err == nil && c.Covers(p) {
		return p.Filename()
	}
	return key
}
