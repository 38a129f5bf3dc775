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
	// Receipt says the file is sent as a receipt (receipt-upload): it must
	// then be an image or a PDF, whatever else the kind's configured rule
	// allows (domain.ContentRule.ImagesAndPDF).
	Receipt bool
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
// audit event, refusals included: UPLOAD for a new file, EDIT for an
// overwrite. The kind's content rule is applied whole: the name before
// Body is read, size and type while it streams, and the archive check (an
// app-builder zip) once the bytes are stored and before they are
// committed.
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
	path, rule, err := u.target(cmd.Caller.Principal, spec, cmd.AddTimestamp, e)
	if err != nil {
		return nil, err
	}
	if cmd.Receipt {
		rule = rule.ImagesAndPDF()
	}
	if err := rule.CheckName(cmd.Filename); err != nil {
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
	if err == nil {
		err = rule.CheckContent(&blobReaderAt{ctx: ctx, blobs: u.blobs, key: key}, m.n)
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

// rule is the configured content rule of kind k.
func (d *deps) rule(k domain.Kind) (domain.ContentRule, error) {
	rule, ok := d.opts.ContentRules[k]
	if !ok {
		return domain.ContentRule{}, domain.Errorf(domain.ErrUnsupportedType, "kind_not_accepted",
			"Files of kind %s are not accepted.", k)
	}
	return rule, nil
}
