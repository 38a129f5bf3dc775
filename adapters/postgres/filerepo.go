package postgres

import (
	"context"
	"fmt"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/filerecord"
)

var _ application.FileRepository = (*FileRepo)(nil)

// FileRepo is the application.FileRepository on the file_records table.
// Every method runs in the transaction ctx carries (DB.InTx), if any.
type FileRepo struct {
	db *DB
}

// NewFileRepo returns the file repository of db.
func NewFileRepo(db *DB) *FileRepo { return &FileRepo{db: db} }

// c is the client of ctx: its transaction's or the pool's.
func (r *FileRepo) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

// Create inserts rec with version 1, and counts what it holds in its org's
// usage in the same transaction.
func (r *FileRepo) Create(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error) {
	var saved *domain.FileRecord
	err := r.counting(ctx, rec.Path(), rec.Usage(), func(ctx context.Context) (err error) {
		saved, err = r.create(ctx, rec)
		return err
	})
	return saved, err
}

func (r *FileRepo) create(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error) {
	d := normalized(rec.Data())
	d.Version = 1
	p := d.Path
	_, err := r.c(ctx).FileRecord.Create().
		SetID(d.ID).
		SetOrgID(p.OrgID()).
		SetSystem(string(p.System())).
		SetObjectType(string(p.ObjectType())).
		SetObjectID(p.ObjectID()).
		SetFilePath(p.String()).
		SetOriginalFilename(d.OriginalFilename).
		SetState(filerecord.State(d.State)).
		SetBlobKey(d.Content.BlobKey).
		SetContentType(d.Content.ContentType).
		SetSizeBytes(d.Content.SizeBytes).
		SetSha256(d.Content.SHA256).
		SetUploadedBy(d.UploadedBy).
		SetCreatedAt(d.CreatedAt).
		SetUpdatedAt(d.UpdatedAt).
		SetDeleted(d.Deleted).
		SetNillableDeletedAt(timePtr(d.DeletedAt)).
		SetDeletedBy(d.DeletedBy).
		SetPendingUploadID(d.PendingUploadID).
		SetNillablePendingSince(timePtr(d.PendingSince)).
		SetNillablePendingUntil(timePtr(d.PendingUntil)).
		SetPendingBytes(d.PendingBytes).
		SetVersion(d.Version).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: create %q: %w", p, translate(err))
	}
	return domain.RehydrateFileRecord(d)
}

// Get returns the record stored for path.
func (r *FileRepo) Get(ctx context.Context, path domain.StoragePath) (*domain.FileRecord, error) {
	var row *ent.FileRecord
	var err error
	if r.db.inTx(ctx) {
		row, err = r.c(ctx).FileRecord.Query().Where(filerecord.FilePath(path.String())).Only(ctx)
	} else {
		row, err = r.db.fileReads.get(ctx, path.String()) // shared with concurrent Gets
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get %q: %w", path, translate(err))
	}
	return toRecord(row)
}

// Update saves rec if the stored row still has rec's version, and advances
// the version by one; what it holds moves its org's usage in the same
// transaction (see counting).
func (r *FileRepo) Update(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error) {
	var saved *domain.FileRecord
	err := r.counting(ctx, rec.Path(), rec.Usage().Minus(rec.StoredUsage()), func(ctx context.Context) (err error) {
		saved, err = update(ctx, r.c(ctx), rec)
		return err
	})
	return saved, err
}

// update is Update through c, the client or a transaction's.
func update(ctx context.Context, c *ent.Client, rec *domain.FileRecord) (*domain.FileRecord, error) {
	d := normalized(rec.Data())
	u := c.FileRecord.Update().
		Where(filerecord.FilePath(d.Path.String()), filerecord.ID(d.ID), filerecord.Version(d.Version)).
		SetOriginalFilename(d.OriginalFilename).
		SetState(filerecord.State(d.State)).
		SetBlobKey(d.Content.BlobKey).
		SetContentType(d.Content.ContentType).
		SetSizeBytes(d.Content.SizeBytes).
		SetSha256(d.Content.SHA256).
		SetUploadedBy(d.UploadedBy).
		SetCreatedAt(d.CreatedAt).
		SetUpdatedAt(d.UpdatedAt).
		SetDeleted(d.Deleted).
		SetDeletedBy(d.DeletedBy).
		SetPendingUploadID(d.PendingUploadID).
		SetPendingBytes(d.PendingBytes).
		SetVersion(d.Version + 1)
	if d.DeletedAt.IsZero() {
		u.ClearDeletedAt()
	} else {
		u.SetDeletedAt(d.DeletedAt)
	}
	if d.PendingSince.IsZero() {
		u.ClearPendingSince()
	} else {
		u.SetPendingSince(d.PendingSince)
	}
	if d.PendingUntil.IsZero() {
		u.ClearPendingUntil()
	} else {
		u.SetPendingUntil(d.PendingUntil)
	}
	n, err := u.Save(ctx)
	if err == nil && n == 0 {
		err = conflict(ctx, c, d.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update %q: %w", d.Path, translate(err))
	}
	d.Version++
	return domain.RehydrateFileRecord(d)
}

// Delete removes rec's row if it still has rec's version, and what the row
// held from its org's usage in the same transaction.
func (r *FileRepo) Delete(ctx context.Context, rec *domain.FileRecord) error {
	return r.counting(ctx, rec.Path(), domain.Usage{}.Minus(rec.StoredUsage()), func(ctx context.Context) error {
		return r.delete(ctx, rec)
	})
}

func (r *FileRepo) delete(ctx context.Context, rec *domain.FileRecord) error {
	d := rec.Data()
	n, err := r.c(ctx).FileRecord.Delete().
		Where(filerecord.FilePath(d.Path.String()), filerecord.ID(d.ID), filerecord.Version(d.Version)).
		Exec(ctx)
	if err == nil && n == 0 {
		err = conflict(ctx, r.c(ctx), d.Path)
	}
	if err != nil {
		return fmt.Errorf("postgres: delete %q: %w", d.Path, translate(err))
	}
	return nil
}

// conflict explains why a guarded write matched no row: the path holds no
// record (ErrNotFound), or another version of it, possibly another record
// created since (ErrExists, domain.CodeConcurrentUpdate).
func conflict(ctx context.Context, c *ent.Client, path domain.StoragePath) error {
	exists, err := c.FileRecord.Query().Where(filerecord.FilePath(path.String())).Exist(ctx)
	switch {
	case err != nil:
		return err
	case !exists:
		return domain.Errorf(domain.ErrNotFound, "not_found", "No such file.")
	}
	return domain.Errorf(domain.ErrExists, domain.CodeConcurrentUpdate,
		"The file was changed by another request; try again.")
}
