package application

import (
	"context"

	"storagegw/domain"
)

// TusCreateCommand asks to create a TUS upload (POST /api/storage/tus/).
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
}

// TusCreate creates a TUS upload. It is InitiateMultipart, whose checks
// (role, path, name, declared size) and reservation it runs as they are,
// with parts of domain.MinPartBytes (so that the 5 MiB chunks clients
// usually send are one part each; PlanParts grows them for large files),
// and the upload's TUS state saved with the session, in one transaction
// with the MULTIPART_INITIATE event (metadata protocol "tus").
type TusCreate struct {
	*tus
}

// Handle creates the upload. It writes one MULTIPART_INITIATE event.
func (u *TusCreate) Handle(ctx context.Context, cmd TusCreateCommand) (*domain.TusUpload, error) {
	if len(cmd.Metadata) > domain.MaxTusMetadataBytes {
		cmd.Metadata = "" // not echoed; the fields that matter were parsed from it
	}
	var created *domain.TusUpload
	_, err := u.initiate.Handle(ctx, InitiateMultipartCommand{
		Caller: cmd.Caller, System: cmd.System, ObjectType: cmd.ObjectType, ObjectID: cmd.ObjectID,
		Filename: cmd.Filename, Size: cmd.Length, AddTimestamp: cmd.AddTimestamp, Overwrite: cmd.Overwrite,
		partSize: domain.MinPartBytes, protocol: "tus",
		onCreate: func(ctx context.Context, s *domain.UploadSession) error {
			t, err := domain.NewTusUpload(s, cmd.Metadata, u.clock.Now())
			if err == nil {
				created, err = u.uploads.Create(ctx, t)
			}
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}
