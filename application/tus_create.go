package application

import (
	"context"
	"io"
	"time"

	"storagegw/domain"
)

// TusCreateCommand asks to create a TUS upload (POST /api/storage/tus/),
// with its first bytes in Body for a creation-with-upload.
type TusCreateCommand struct {
	Caller       Caller
	System       string
	ObjectType   string
	ObjectID     string
	Filename     string
	Length       int64 // Upload-Length
	AddTimestamp bool
	Overwrite    bool
	Metadata     string // the Upload-Metadata header as sent, echoed by HEAD

	Body          io.Reader // nil: a creation without a body
	ContentLength int64     // Body's length, -1 when unknown
}

// TusCreate creates a TUS upload. It is InitiateMultipart, whose checks
// (role, path, name, declared size) and reservation it runs as they are,
// with parts of domain.MinPartBytes (so that the 5 MiB chunks clients
// usually send are one part each; PlanParts grows them for large files),
// and the upload's TUS state saved with the session, in one transaction
// with the MULTIPART_INITIATE event (metadata protocol "tus").
//
// A creation-with-upload (a body) is one request with one event too: the
// session and TUS state commit first, without an event, the body is
// stored as a PATCH's would be, and the request's event commits with the
// outcome: MULTIPART_INITIATE (metadata bytes_stored) with the offset, or
// the completion's UPLOAD/EDIT (metadata creation_with_upload) when the
// body holds the whole file. The client learns of the upload only from
// the answer, so a body that fails (cut, refused) discards the upload and
// its bytes, and the event is the creation's failure: a retry starts
// afresh, on a path that is free again. Until the body is stored the
// path's reservation holds by a lease renewed with the upload's
// (Options.UploadLease), so a replica that dies mid-body frees the path
// within it; then it is the session's lifetime, as for any upload.
type TusCreate struct {
	*tus
}

// Handle creates the upload and stores its body, if any. It writes one
// event: MULTIPART_INITIATE, or the UPLOAD or EDIT of a body that
// completed the upload.
func (u *TusCreate) Handle(ctx context.Context, cmd TusCreateCommand) (TusPatchResult, error) {
	if len(cmd.Metadata) > domain.MaxTusMetadataBytes {
		cmd.Metadata = "" // not echoed; the fields that matter were parsed from it
	}
	withBody := cmd.Body != nil && cmd.ContentLength != 0
	e := entry{action: domain.ActionMultipartInitiate, objType: cmd.ObjectType, objID: cmd.ObjectID,
		metadata: map[string]any{"overwrite": cmd.Overwrite, "declared_size": cmd.Length}}
	if withBody {
		e.metadata["creation_with_upload"] = true
	}
	res, err := u.run(ctx, cmd, withBody, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return TusPatchResult{}, err
	}
	return res, nil
}

func (u *TusCreate) run(ctx context.Context, cmd TusCreateCommand, withBody bool, e *entry) (TusPatchResult, error) {
	if withBody && cmd.ContentLength > cmd.Length {
		return TusPatchResult{}, bodyPastUploadLength(cmd.Length)
	}
	var created *domain.TusUpload
	var lease time.Duration // with a body, the path is held by a renewed lease until the body is stored
	if withBody {
		lease = u.deps.opts.UploadLease
	}
	_, err := u.initiate.run(ctx, InitiateMultipartCommand{
		Caller: cmd.Caller, System: cmd.System, ObjectType: cmd.ObjectType, ObjectID: cmd.ObjectID,
		Filename: cmd.Filename, Size: cmd.Length, AddTimestamp: cmd.AddTimestamp, Overwrite: cmd.Overwrite,
		partSize: domain.MinPartBytes, protocol: "tus", deferEvent: withBody, lease: lease,
		onCreate: func(ctx context.Context, s *domain.UploadSession) error {
			t, err := domain.NewTusUpload(s, cmd.Metadata, u.clock.Now())
			if err == nil {
				created, err = u.uploads.Create(ctx, t)
				e.result = created
			}
			return err
		},
	}, e)
	if err != nil || !withBody {
		return TusPatchResult{Upload: created}, err
	}
	return u.receive(ctx, TusPatchCommand{Caller: cmd.Caller, ID: created.ID(), Offset: 0,
		Body: cmd.Body, ContentLength: cmd.ContentLength}, created, e, true)
}
