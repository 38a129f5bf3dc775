package application

import (
	"context"
	"io"

	"storagegw/domain"
)

// UploadCommand asks to store one file.
type UploadCommand struct {
	Caller       Caller
	System       string
	ObjectType   string
	ObjectID     string
	Filename     string // as the client named it
	AddTimestamp bool
	Overwrite    bool
	Body         io.Reader
	// DeclaredSize is the size the client announced, or -1. A declared size
	// over the limit is refused before any byte is read.
	DeclaredSize int64
	// Rule, when set, replaces the configured rule for the kind (for
	// endpoints that accept a narrower set of types).
	Rule *domain.ContentRule
	// Verify, when set, inspects the stored blob before it is committed
	// (for example, that a zip archive is readable). Its error aborts the
	// upload.
	Verify func(ctx context.Context, r io.ReaderAt, size int64) error
}

// Upload stores a file and its record.
//
// Order and compensation: (1) the path is reserved in the database (a
// pending record, or a pending upload id on the existing record), so racing
// uploads to one path are serialised and losers stop before writing; (2) the
// bytes stream into a blob key unique to this upload, sniffed, bounded and
// hashed on the way; (3) the record is switched to the new blob in one
// optimistic update; (4) the blob it replaced, if any, is removed. A failure
// in (2) or (3) removes this upload's own blob and releases the reservation,
// so no record points at a missing blob and, once Handle returns, no blob of
// this upload lingers unrecorded; a loser's clean-up only ever touches its
// own key. A crash between steps leaves at worst an unrecorded blob, which
// reconciliation removes.
type Upload struct {
	*deps
}

// Handle runs the upload and returns the committed record. It writes one
// audit event: UPLOAD for a new file, EDIT for an overwrite.
func (u *Upload) Handle(ctx context.Context, cmd UploadCommand) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionUpload, objType: cmd.ObjectType, objID: cmd.ObjectID,
		metadata: map[string]any{"overwrite": cmd.Overwrite}}
	rec, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return rec, nil
}

func (u *Upload) run(ctx context.Context, cmd UploadCommand, e *entry) (*domain.FileRecord, error) {
	spec := domain.PathSpec{System: cmd.System, ObjectType: cmd.ObjectType, ObjectID: cmd.ObjectID, Filename: cmd.Filename}
	path, rule, err := u.target(cmd.Caller.Principal, spec, cmd.AddTimestamp, cmd.Rule, e)
	if err != nil {
		return nil, err
	}
	if cmd.DeclaredSize > 0 {
		if err := rule.CheckSize(cmd.DeclaredSize); err != nil {
			return nil, err
		}
	}
	mime, body, err := sniff(cmd.Body)
	if err != nil {
		return nil, err
	}
	contentType, err := allowedType(rule, mime)
	if err != nil {
		return nil, err
	}
	e.metadata["content_type"] = contentType

	uploadID := newID()
	rec, err := u.reserve(ctx, path, cmd, uploadID, e)
	if err != nil {
		return nil, err
	}
	key := domain.BlobKeyFor(path, uploadID)
	m := newMeter(body, rule.MaxBytes)
	info, err := u.blobs.Put(ctx, key, m, contentType)
	if err == nil && info.Size != m.n {
		err = domain.Errorf(domain.ErrUnavailable, "store_size_mismatch",
			"The store kept a different number of bytes than were sent; try again.")
	}
	if err == nil && cmd.Verify != nil {
		err = cmd.Verify(ctx, &blobReaderAt{ctx: ctx, blobs: u.blobs, key: key}, m.n)
	}
	if err != nil {
		u.abandon(ctx, path, uploadID, key)
		return nil, err
	}
	content := domain.Content{BlobKey: key, ContentType: contentType, SizeBytes: m.n, SHA256: m.sum()}
	e.metadata["size_bytes"], e.metadata["sha256"] = m.n, content.SHA256
	saved, err := u.commit(ctx, rec, uploadID, content, cmd)
	if err != nil {
		u.abandon(ctx, path, uploadID, key)
		return nil, err
	}
	return saved, nil
}

// rule is the content rule of kind k, or override when set.
func (d *deps) rule(k domain.Kind, override *domain.ContentRule) (domain.ContentRule, error) {
	if override != nil {
		return *override, nil
	}
	rule, ok := d.opts.ContentRules[k]
	if !ok {
		return domain.ContentRule{}, domain.Errorf(domain.ErrUnsupportedType, "kind_not_accepted",
			"Files of kind %s are not accepted.", k)
	}
	return rule, nil
}
