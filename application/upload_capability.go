package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// UploadCapabilitySealer turns upload capabilities into opaque tokens that
// only it can read and forge, and back: every replica sharing its key
// opens the tokens of the others.
type UploadCapabilitySealer interface {
	// Seal returns the token of c: URL-safe text that names no one in
	// clear.
	Seal(c *domain.UploadCapability) (string, error)

	// Open returns the capability that token seals, without checking its
	// expiry (domain.UploadCapability.Redeem does). A token this sealer did
	// not seal, or one altered in any way, is domain.ErrForbidden with code
	// capability_invalid.
	Open(token string) (*domain.UploadCapability, error)
}

// CapabilityOptions tune upload capabilities. Without a Sealer there are
// none: IssueUploadCapability and CapabilityUploads stay nil.
type CapabilityOptions struct {
	Sealer UploadCapabilitySealer
	// TTL is a capability's lifetime when the caller asks for none,
	// between domain.MinCapabilityTTL and domain.MaxCapabilityTTL.
	// Default 10 minutes.
	TTL time.Duration
}

func (o CapabilityOptions) withDefaults() CapabilityOptions {
	if o.TTL <= 0 {
		o.TTL = 10 * time.Minute
	}
	return o
}

// IssueCapabilityCommand asks for an upload capability.
type IssueCapabilityCommand struct {
	Caller       Caller
	System       string
	ObjectType   string
	ObjectID     string
	Filename     string        // optional: the one name uploads may have
	MaxBytes     int64         // optional: a size limit below the kind's
	PartSize     int64         // optional: the part size of multipart uploads
	AddTimestamp bool          // the uploads' timestamp option
	Overwrite    bool          // the uploads' overwrite option
	ExpiresIn    time.Duration // optional: the lifetime (default CapabilityOptions.TTL)
}

// IssuedCapability is a capability and its token.
type IssuedCapability struct {
	Capability *domain.UploadCapability
	Token      string
	ExpiresIn  time.Duration // its lifetime from issue
}

// IssueUploadCapability hands an authenticated member an upload
// capability (domain.UploadCapability) for one target of their org: the
// token that CapabilityUploads redeems, which browser clients that cannot
// send a bearer token (Uppy's Companion protocol) carry in a URL. It
// checks what it can before any upload: the role, the target, the name
// against the kind's rule and the size limit against the kind's.
type IssueUploadCapability struct {
	*deps
	copts CapabilityOptions
}

// Handle returns the capability and its token. It writes one
// UPLOAD_CAPABILITY_ISSUED audit event, without which it returns no token
// (like a signed URL, it hands out access).
func (u *IssueUploadCapability) Handle(ctx context.Context, cmd IssueCapabilityCommand) (IssuedCapability, error) {
	e := entry{action: domain.ActionUploadCapability, objType: cmd.ObjectType, objID: cmd.ObjectID,
		metadata: map[string]any{"system": cmd.System, "overwrite": cmd.Overwrite}}
	out, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, true); err != nil {
		return IssuedCapability{}, err
	}
	return out, nil
}

func (u *IssueUploadCapability) run(ctx context.Context, cmd IssueCapabilityCommand, e *entry) (IssuedCapability, error) {
	ttl := cmd.ExpiresIn
	if ttl == 0 {
		ttl = u.copts.TTL
	}
	c, err := domain.NewUploadCapability(cmd.Caller.Principal, domain.UploadCapabilityRequest{
		ID: newID(), System: cmd.System, ObjectType: cmd.ObjectType, ObjectID: cmd.ObjectID, Filename: cmd.Filename,
		MaxBytes: cmd.MaxBytes, PartSize: cmd.PartSize, AddTimestamp: cmd.AddTimestamp, Overwrite: cmd.Overwrite,
	}, u.clock.Now(), ttl)
	if err != nil {
		return IssuedCapability{}, err
	}
	rule, err := u.rule(c.Kind())
	if err != nil {
		return IssuedCapability{}, err
	}
	if c.Filename() != "" {
		if err := rule.CheckName(cmd.Filename); err != nil {
			return IssuedCapability{}, err
		}
		e.metadata["filename"] = c.Filename()
	}
	if c.MaxBytes() > 0 {
		if err := rule.CheckSize(c.MaxBytes()); err != nil {
			return IssuedCapability{}, err
		}
		e.metadata["max_size"] = c.MaxBytes()
	}
	if c.PartSize() > 0 {
		e.metadata["part_size"] = c.PartSize()
	}
	token, err := u.copts.Sealer.Seal(c)
	if err != nil {
		return IssuedCapability{}, err
	}
	e.metadata["capability_id"], e.metadata["expires_in"] = c.ID(), int(ttl.Seconds())
	return IssuedCapability{Capability: c, Token: token, ExpiresIn: ttl}, nil
}

// Admit refuses, before the request is read, a caller who may not upload.
func (u *IssueUploadCapability) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionUploadCapability, domain.PermUpload)
}
