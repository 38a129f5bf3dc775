package application

import (
	"context"
	"io"

	"storagegw/domain"
)

// CapabilityCaller is a request that carries an upload capability's token
// instead of a bearer token, and where it came from.
type CapabilityCaller struct {
	Token     string
	IP        string
	UserAgent string
}

// CapabilityUploads runs uploads for the holder of an upload capability
// (IssueUploadCapability): each call redeems the token and then runs the
// same use case as the token-authenticated API (Upload, the multipart
// ones), as the principal who obtained the capability, with the target,
// name, size limit, part size and options the capability fixes. Every
// check, the sniffing, the SHA-256 and the audit event are those use
// cases'; the one event of a call is theirs, or, when the capability
// refuses the call (expired, another target: domain.ErrForbidden, too
// large: domain.ErrTooLarge), a refusal of the same action written here.
// A session is reachable only when the capability covers its path
// (domain.UploadCapability.Covers) and its holder created it. A token
// that does not open (domain.ErrForbidden, capability_invalid) names no
// one and is refused without an event, like a bad bearer token.
type CapabilityUploads struct {
	*multipart
	sealer   UploadCapabilitySealer
	upload   *Upload
	initiate *InitiateMultipart
	partURLs *MultipartPartURLs
	list     *ListUploadedParts
	complete *CompleteMultipart
	abort    *AbortMultipart
}

// CapabilityInitiate is what a capability's holder sends to start a
// multipart upload.
type CapabilityInitiate struct {
	Filename    string
	Size        int64
	ContentType string
	// PartSize is the holder's part size when the capability fixes none
	// (0: the service's).
	PartSize int64
}

// redeem opens the token and checks the capability at now. A refusal of
// an authentic token is audited as action.
func (u *CapabilityUploads) redeem(ctx context.Context, cc CapabilityCaller, action domain.Action) (*domain.UploadCapability, Caller, error) {
	c, err := u.sealer.Open(cc.Token)
	if err != nil {
		return nil, Caller{}, err
	}
	caller := Caller{Principal: c.Principal(), IP: cc.IP, UserAgent: cc.UserAgent, Capability: c.ID()}
	if err := c.Redeem(u.clock.Now()); err != nil {
		return nil, Caller{}, u.refuse(ctx, caller, entry{action: action}, err)
	}
	return c, caller, nil
}

// refuse writes the event of a call the capability refused and returns err.
func (u *CapabilityUploads) refuse(ctx context.Context, c Caller, e entry, err error) error {
	e.metadata = map[string]any{"capability_id": c.Capability}
	return u.audit.finish(ctx, c, e, err, false)
}

// PostKey is the key of a file of that name sent whole (Uppy's
// /s3/params): the path it will get (domain.UploadCapability.PostKey).
// Nothing is stored; a refusal is audited as an upload's.
func (u *CapabilityUploads) PostKey(ctx context.Context, cc CapabilityCaller, filename string) (string, error) {
	c, caller, err := u.redeem(ctx, cc, domain.ActionUpload)
	if err != nil {
		return "", err
	}
	key, err := c.PostKey(filename)
	if err == nil {
		err = c.CheckUpload(filename, -1)
	}
	if err != nil {
		return "", u.refuse(ctx, caller, entry{action: domain.ActionUpload}, err)
	}
	return key, nil
}

// Upload stores one file sent whole (Uppy's /s3/params and POST), as
// Upload does; key is the file's name or its PostKey; declaredSize is the
// size announced or -1. A capability with a size limit reads at most that
// many bytes.
func (u *CapabilityUploads) Upload(ctx context.Context, cc CapabilityCaller, key string, declaredSize int64, body io.Reader) (*domain.FileRecord, error) {
	c, caller, err := u.redeem(ctx, cc, domain.ActionUpload)
	if err != nil {
		return nil, err
	}
	filename := c.PostFilename(key)
	if err := c.CheckUpload(filename, declaredSize); err != nil {
		return nil, u.refuse(ctx, caller, entry{action: domain.ActionUpload}, err)
	}
	if c.MaxBytes() > 0 {
		body = &capped{r: body, left: c.MaxBytes(), err: c.CheckUpload(filename, c.MaxBytes()+1)}
	}
	spec := c.Spec(filename)
	return u.upload.Handle(ctx, UploadCommand{Caller: caller, System: spec.System, ObjectType: spec.ObjectType,
		ObjectID: spec.ObjectID, Filename: filename, AddTimestamp: c.AddTimestamp(), Overwrite: c.Overwrite(),
		Body: body, DeclaredSize: declaredSize})
}

// Initiate starts a multipart upload, as InitiateMultipart does.
func (u *CapabilityUploads) Initiate(ctx context.Context, cc CapabilityCaller, cmd CapabilityInitiate) (*domain.UploadSession, error) {
	c, caller, err := u.redeem(ctx, cc, domain.ActionMultipartInitiate)
	if err != nil {
		return nil, err
	}
	if err := c.CheckUpload(cmd.Filename, cmd.Size); err != nil {
		return nil, u.refuse(ctx, caller, entry{action: domain.ActionMultipartInitiate}, err)
	}
	partSize := cmd.PartSize
	if c.PartSize() > 0 {
		partSize = c.PartSize()
	}
	spec := c.Spec(cmd.Filename)
	return u.initiate.Handle(ctx, InitiateMultipartCommand{Caller: caller, System: spec.System, ObjectType: spec.ObjectType,
		ObjectID: spec.ObjectID, Filename: cmd.Filename, Size: cmd.Size, ContentType: cmd.ContentType,
		AddTimestamp: c.AddTimestamp(), Overwrite: c.Overwrite(), PartSize: partSize})
}

// PartURL returns the URL of one part, as MultipartPartURLs does.
func (u *CapabilityUploads) PartURL(ctx context.Context, cc CapabilityCaller, uploadID string, part int) (PartURL, error) {
	caller, err := u.onSession(ctx, cc, uploadID, domain.ActionMultipartPartURLs)
	if err != nil {
		return PartURL{}, err
	}
	urls, err := u.partURLs.Handle(ctx, PartURLsCommand{Caller: caller, UploadID: uploadID, Parts: []int{part}})
	if err != nil {
		return PartURL{}, err
	}
	return urls[0], nil
}

// ListParts lists the parts the store holds, as ListUploadedParts does.
func (u *CapabilityUploads) ListParts(ctx context.Context, cc CapabilityCaller, uploadID string) (UploadedParts, error) {
	caller, err := u.onSession(ctx, cc, uploadID, domain.ActionMultipartListParts)
	if err != nil {
		return UploadedParts{}, err
	}
	return u.list.Handle(ctx, ListPartsCommand{Caller: caller, UploadID: uploadID})
}

// Complete completes the upload, as CompleteMultipart does.
func (u *CapabilityUploads) Complete(ctx context.Context, cc CapabilityCaller, uploadID string, parts []domain.PartRef) (*domain.FileRecord, error) {
	caller, err := u.onSession(ctx, cc, uploadID, domain.ActionUpload)
	if err != nil {
		return nil, err
	}
	return u.complete.Handle(ctx, CompleteMultipartCommand{Caller: caller, UploadID: uploadID, Parts: parts})
}

// Abort aborts the upload, as AbortMultipart does.
func (u *CapabilityUploads) Abort(ctx context.Context, cc CapabilityCaller, uploadID string) error {
	caller, err := u.onSession(ctx, cc, uploadID, domain.ActionMultipartAbort)
	if err != nil {
		return err
	}
	return u.abort.Handle(ctx, AbortMultipartCommand{Caller: caller, UploadID: uploadID})
}

// onSession redeems the token for a call on session uploadID, which the
// capability must cover; another is no upload at all (upload_not_found).
func (u *CapabilityUploads) onSession(ctx context.Context, cc CapabilityCaller, uploadID string, action domain.Action) (Caller, error) {
	c, caller, err := u.redeem(ctx, cc, action)
	if err != nil {
		return Caller{}, err
	}
	s, err := u.session(ctx, caller, uploadID)
	if err == nil && !c.Covers(s.Path()) {
		err = errNoUpload()
	}
	if err != nil {
		return Caller{}, u.refuse(ctx, caller, entry{action: action}, err)
	}
	return caller, nil
}

// capped reads at most left bytes of r and then fails with err, so a
// capability's size limit holds for a body of unknown size.
type capped struct {
	r    io.Reader
	left int64
	err  error
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n - 1, c.err
	}
	return n, err
}
