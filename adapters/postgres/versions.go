package postgres

import (
	"context"
	"fmt"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/fileversion"
)

var _ application.FileVersions = (*Versions)(nil)

// Versions is the application.FileVersions on the file_versions table.
// Every method runs in the transaction ctx carries (DB.InTx), if any. Keep
// and Delete move their org's usage in the write's transaction, like the
// file repository's writes (FileRepo.counting: a free usage shard, after the row).
type Versions struct {
	db    *DB
	files *FileRepo
}

// NewVersions returns the version store of db.
func NewVersions(db *DB) *Versions { return &Versions{db: db, files: NewFileRepo(db)} }

func (r *Versions) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

func noVersion(err error) error {
	return domain.Wrap(domain.ErrNotFound, "version_not_found", "No such version of this file.", err)
}

// Keep inserts v and counts it; the primary key refuses a taken id.
func (r *Versions) Keep(ctx context.Context, v domain.FileVersion) error {
	if v.ID == "" || v.Path.IsZero() || v.Content.BlobKey == "" {
		return domain.Errorf(domain.ErrInvalid, "invalid_version", "A version needs an id, a path and a blob.")
	}
	return r.files.counting(ctx, v.Path, v.Usage(), func(ctx context.Context) error {
		p := v.Path
		err := r.c(ctx).FileVersion.Create().
			SetID(v.ID).SetOrgID(p.OrgID()).SetSystem(string(p.System())).SetObjectType(string(p.ObjectType())).
			SetFilePath(p.String()).SetBlobKey(v.Content.BlobKey).SetContentType(v.Content.ContentType).
			SetSizeBytes(v.Content.SizeBytes).SetSha256(v.Content.SHA256).SetUploadedBy(v.UploadedBy).
			SetCreatedAt(dbTime(v.CreatedAt)).SetSupersededAt(dbTime(v.SupersededAt)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("postgres: keep version of %q: %w", p, translate(err))
		}
		return nil
	})
}

// List returns path's versions, the most recently superseded first.
func (r *Versions) List(ctx context.Context, path domain.StoragePath) ([]domain.FileVersion, error) {
	rows, err := r.c(ctx).FileVersion.Query().Where(fileversion.FilePath(path.String())).
		Order(ent.Desc(fileversion.FieldSupersededAt), ent.Desc(fileversion.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list versions of %q: %w", path, translate(err))
	}
	return toVersions(rows)
}

// Get returns version id of path.
func (r *Versions) Get(ctx context.Context, path domain.StoragePath, id string) (domain.FileVersion, error) {
	row, err := r.c(ctx).FileVersion.Query().Where(fileversion.ID(id), fileversion.FilePath(path.String())).Only(ctx)
	if ent.IsNotFound(err) {
		return domain.FileVersion{}, noVersion(err)
	}
	if err != nil {
		return domain.FileVersion{}, fmt.Errorf("postgres: get version of %q: %w", path, translate(err))
	}
	return toVersion(row)
}

// Delete removes v's row and takes its usage off, in one transaction; a
// row gone already (a concurrent Delete) moves nothing.
func (r *Versions) Delete(ctx context.Context, v domain.FileVersion) error {
	return r.db.InTx(ctx, func(ctx context.Context) error {
		row, err := r.c(ctx).FileVersion.Query().Where(fileversion.ID(v.ID), fileversion.FilePath(v.Path.String())).Only(ctx)
		if ent.IsNotFound(err) {
			return noVersion(err)
		}
		if err != nil {
			return fmt.Errorf("postgres: read version of %q: %w", v.Path, translate(err))
		}
		stored, err := toVersion(row)
		if err != nil {
			return err
		}
		return r.files.counting(ctx, v.Path, domain.Usage{}.Minus(stored.Usage()), func(ctx context.Context) error {
			n, err := r.c(ctx).FileVersion.Delete().Where(fileversion.ID(v.ID), fileversion.FilePath(v.Path.String())).Exec(ctx)
			if err == nil && n == 0 {
				return noVersion(nil)
			}
			if err != nil {
				return fmt.Errorf("postgres: delete version of %q: %w", v.Path, translate(err))
			}
			return nil
		})
	})
}

// DeleteAll removes every version of path.
func (r *Versions) DeleteAll(ctx context.Context, path domain.StoragePath) ([]domain.FileVersion, error) {
	var out []domain.FileVersion
	err := r.db.InTx(ctx, func(ctx context.Context) error {
		out = nil
		vs, err := r.List(ctx, path)
		if err != nil {
			return err
		}
		var total domain.Usage
		for _, v := range vs {
			total = total.Plus(v.Usage())
		}
		return r.files.counting(ctx, path, domain.Usage{}.Minus(total), func(ctx context.Context) error {
			for _, v := range vs {
				n, err := r.c(ctx).FileVersion.Delete().Where(fileversion.ID(v.ID)).Exec(ctx)
				if err != nil {
					return fmt.Errorf("postgres: delete versions of %q: %w", path, translate(err))
				}
				if n == 1 {
					out = append(out, v)
				} else {
					return domain.Errorf(domain.ErrExists, domain.CodeConcurrentUpdate,
						"The file's versions were changed by another request; try again.")
				}
			}
			return nil
		})
	})
	return out, err
}

// ListDue returns versions superseded before q.Before, by ascending id.
func (r *Versions) ListDue(ctx context.Context, q application.VersionPurgeQuery) ([]domain.FileVersion, error) {
	if q.Before.IsZero() || q.Limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A purge query needs a time and a positive limit.")
	}
	query := r.c(ctx).FileVersion.Query().Where(fileversion.SupersededAtLT(dbTime(q.Before)), fileversion.IDGT(q.AfterID))
	if q.OrgID != "" {
		query = query.Where(fileversion.OrgID(q.OrgID))
	}
	rows, err := query.Order(ent.Asc(fileversion.FieldID)).Limit(q.Limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list due versions: %w", translate(err))
	}
	return toVersions(rows)
}

func toVersions(rows []*ent.FileVersion) ([]domain.FileVersion, error) {
	out := make([]domain.FileVersion, 0, len(rows))
	for _, row := range rows {
		v, err := toVersion(row)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func toVersion(row *ent.FileVersion) (domain.FileVersion, error) {
	p, err := domain.ParseStoragePath(row.FilePath)
	if err != nil {
		return domain.FileVersion{}, fmt.Errorf("postgres: stored version %s: %w", row.ID, err)
	}
	return domain.FileVersion{ID: row.ID, Path: p,
		Content:    domain.Content{BlobKey: row.BlobKey, ContentType: row.ContentType, SizeBytes: row.SizeBytes, SHA256: row.Sha256},
		UploadedBy: row.UploadedBy, CreatedAt: row.CreatedAt.UTC(), SupersededAt: row.SupersededAt.UTC()}, nil
}
