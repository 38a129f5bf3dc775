package postgres

import (
	"context"
	"fmt"
	"time"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/tusupload"
)

var _ application.TusUploads = (*TusUploads)(nil)

// TusUploads is the application.TusUploads on the tus_uploads table. Its
// optimistic Update is the lease across replicas: taking a lease is an
// update guarded by the version, so two replicas never both win it.
// Every method runs in the transaction ctx carries (DB.InTx), if any.
type TusUploads struct {
	db *DB
}

// NewTusUploads returns the TUS upload repository of db.
func NewTusUploads(db *DB) *TusUploads { return &TusUploads{db: db} }

func (r *TusUploads) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

// Create inserts u with version 1.
func (r *TusUploads) Create(ctx context.Context, u *domain.TusUpload) (*domain.TusUpload, error) {
	d := normalizedTus(u.Data())
	d.Version = 1
	_, err := r.c(ctx).TusUpload.Create().
		SetID(d.ID).SetOrgID(d.Path.OrgID()).SetFilePath(d.Path.String()).SetCreatedBy(d.CreatedBy).
		SetLength(d.Length).SetPartSize(d.PartSize).SetOffset(d.Offset).SetSegments(nonNil(d.Segments)).
		SetMetadata(d.Metadata).SetCompleted(d.Completed).SetLockOwner(d.LockOwner).SetNillableLockUntil(lockTime(d.LockUntil)).
		SetCreatedAt(d.CreatedAt).SetUpdatedAt(d.UpdatedAt).SetExpiresAt(d.ExpiresAt).SetVersion(d.Version).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: create tus upload %q: %w", d.ID, translate(err))
	}
	return domain.RehydrateTusUpload(d)
}

// Get returns the upload with id.
func (r *TusUploads) Get(ctx context.Context, id string) (*domain.TusUpload, error) {
	row, err := r.c(ctx).TusUpload.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get tus upload %q: %w", id, translate(err))
	}
	return toTus(row)
}

// Update saves u if the stored row still has u's version, and advances
// the version by one.
func (r *TusUploads) Update(ctx context.Context, u *domain.TusUpload) (*domain.TusUpload, error) {
	d := normalizedTus(u.Data())
	upd := r.c(ctx).TusUpload.Update().
		Where(tusupload.ID(d.ID), tusupload.Version(d.Version)).
		SetOffset(d.Offset).SetSegments(nonNil(d.Segments)).SetCompleted(d.Completed).
		SetLockOwner(d.LockOwner).SetUpdatedAt(d.UpdatedAt).SetVersion(d.Version + 1)
	if lt := lockTime(d.LockUntil); lt != nil {
		upd.SetLockUntil(*lt)
	} else {
		upd.ClearLockUntil()
	}
	n, err := upd.Save(ctx)
	if err == nil && n == 0 {
		err = r.conflict(ctx, d.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update tus upload %q: %w", d.ID, translate(err))
	}
	d.Version++
	return domain.RehydrateTusUpload(d)
}

// Delete removes u's row if it still has u's version.
func (r *TusUploads) Delete(ctx context.Context, u *domain.TusUpload) error {
	n, err := r.c(ctx).TusUpload.Delete().Where(tusupload.ID(u.ID()), tusupload.Version(u.Version())).Exec(ctx)
	if err == nil && n == 0 {
		err = r.conflict(ctx, u.ID())
	}
	if err != nil {
		return fmt.Errorf("postgres: delete tus upload %q: %w", u.ID(), translate(err))
	}
	return nil
}

// ListExpired returns uploads expiring at or before before, by id.
func (r *TusUploads) ListExpired(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.TusUpload, error) {
	if before.IsZero() || limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs a time and a positive limit.")
	}
	rows, err := r.c(ctx).TusUpload.Query().
		Where(tusupload.ExpiresAtLTE(dbTime(before)), tusupload.IDGT(afterID)).
		Order(ent.Asc(tusupload.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list expired tus uploads: %w", translate(err))
	}
	out := make([]*domain.TusUpload, 0, len(rows))
	for _, row := range rows {
		u, err := toTus(row)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// conflict explains why a guarded write matched no row.
func (r *TusUploads) conflict(ctx context.Context, id string) error {
	exists, err := r.c(ctx).TusUpload.Query().Where(tusupload.ID(id)).Exist(ctx)
	switch {
	case err != nil:
		return err
	case !exists:
		return domain.Errorf(domain.ErrNotFound, "not_found", "No such TUS upload.")
	}
	return domain.Errorf(domain.ErrExists, domain.CodeConcurrentUpdate,
		"The upload was changed by another request; try again.")
}

func normalizedTus(d domain.TusUploadData) domain.TusUploadData {
	d.CreatedAt, d.UpdatedAt, d.ExpiresAt = dbTime(d.CreatedAt), dbTime(d.UpdatedAt), dbTime(d.ExpiresAt)
	if !d.LockUntil.IsZero() {
		d.LockUntil = dbTime(d.LockUntil)
	}
	return d
}

func lockTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// toTus rebuilds the domain upload of a row; a row that does not hold a
// valid upload is an internal error (its kind dropped, %v).
func toTus(row *ent.TusUpload) (*domain.TusUpload, error) {
	p, err := domain.ParseStoragePath(row.FilePath)
	if err != nil {
		return nil, fmt.Errorf("postgres: stored tus upload %q has a bad path: %v", row.ID, err)
	}
	d := domain.TusUploadData{
		ID: row.ID, Path: p, CreatedBy: row.CreatedBy, Length: row.Length, Offset: row.Offset, PartSize: row.PartSize,
		Segments: row.Segments, Metadata: row.Metadata, Completed: row.Completed, CreatedAt: row.CreatedAt.UTC(),
		UpdatedAt: row.UpdatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC(), LockOwner: row.LockOwner, Version: row.Version,
	}
	if row.LockUntil != nil {
		d.LockUntil = row.LockUntil.UTC()
	}
	u, err := domain.RehydrateTusUpload(d)
	if err != nil {
		return nil, fmt.Errorf("postgres: stored tus upload %q is invalid: %v", row.ID, err)
	}
	return u, nil
}
