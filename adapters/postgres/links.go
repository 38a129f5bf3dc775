package postgres

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/signedlink"
)

var _ application.Links = (*Links)(nil)

// Links is the application.Links on the signed_links table. Every method
// runs in the transaction ctx carries (DB.InTx), if any.
type Links struct {
	db *DB
}

// NewLinks returns the link store of db.
func NewLinks(db *DB) *Links { return &Links{db: db} }

func (r *Links) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

func noLink(err error) error {
	return domain.Wrap(domain.ErrNotFound, "link_not_found", "No such link.", err)
}

// Create inserts l; the unique index on link_id refuses a taken id.
func (r *Links) Create(ctx context.Context, l *domain.Link) error {
	if err := linkRow(r.c(ctx).SignedLink.Create(), l).Exec(ctx); err != nil {
		return fmt.Errorf("postgres: create link: %w", translate(err))
	}
	return nil
}

// linkRow sets the columns of l's row on c: the one mapping of a link to
// its row, for Create and the audit batches that store links with their
// events (AuditBatcher.AppendIssuing).
func linkRow(c *ent.SignedLinkCreate, l *domain.Link) *ent.SignedLinkCreate {
	d := l.Data()
	return c.SetLinkID(d.ID).SetOrgID(d.OrgID).SetFilePath(d.FilePath).SetRecordID(d.RecordID).
		SetMode(string(d.Mode)).SetCreatedBy(d.CreatedBy).
		SetCreatedAt(dbTime(d.CreatedAt)).SetExpiresAt(dbTime(d.ExpiresAt)).
		SetNillableRevokedAt(timePtr(dbTime(d.RevokedAt))).SetRevokedBy(d.RevokedBy).
		SetMaxUses(d.MaxUses).SetUses(d.Uses)
}

// Get returns the link with id.
func (r *Links) Get(ctx context.Context, id string) (*domain.Link, error) {
	row, err := r.c(ctx).SignedLink.Query().Where(signedlink.LinkID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, noLink(err)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get link: %w", translate(err))
	}
	return toLink(row), nil
}

// Use adds one to uses in one guarded UPDATE: only while the row is not
// revoked, not expired and below its max_uses (the domain's Usable), so
// concurrent uses serialise on the row. When the guard matches nothing the
// stored link says why.
func (r *Links) Use(ctx context.Context, id string, now time.Time) (*domain.Link, error) {
	n, err := r.c(ctx).SignedLink.Update().
		Where(signedlink.LinkID(id), signedlink.RevokedAtIsNil(), signedlink.ExpiresAtGT(dbTime(now)),
			func(s *sql.Selector) {
				s.Where(sql.Or(sql.EQ(s.C(signedlink.FieldMaxUses), 0),
					sql.ColumnsLT(s.C(signedlink.FieldUses), s.C(signedlink.FieldMaxUses))))
			}).
		AddUses(1).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: use link: %w", translate(err))
	}
	l, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if err := l.Usable(now); err != nil {
			return l, err
		}
		// Usable now, yet the guard matched nothing: only a clock
		// difference between the database's rounding and ours can do it.
		return l, domain.Errorf(domain.ErrForbidden, "url_expired", "The link has expired.")
	}
	return l, nil
}

// Revoke sets revoked_at unless it is set already.
func (r *Links) Revoke(ctx context.Context, id, by string, now time.Time) (*domain.Link, error) {
	_, err := r.c(ctx).SignedLink.Update().
		Where(signedlink.LinkID(id), signedlink.RevokedAtIsNil()).
		SetRevokedAt(dbTime(now)).SetRevokedBy(by).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: revoke link: %w", translate(err))
	}
	return r.Get(ctx, id)
}

// RevokeFile revokes every unrevoked link of the file in one UPDATE.
func (r *Links) RevokeFile(ctx context.Context, orgID, filePath, by string, now time.Time) (int, error) {
	n, err := r.c(ctx).SignedLink.Update().
		Where(signedlink.OrgID(orgID), signedlink.FilePath(filePath), signedlink.RevokedAtIsNil()).
		SetRevokedAt(dbTime(now)).SetRevokedBy(by).
		Save(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke the links of a file: %w", translate(err))
	}
	return n, nil
}

// OfFile pages through a file's links on the signed_links_file index,
// ordered by (created_at, link_id).
func (r *Links) OfFile(ctx context.Context, q application.LinkQuery) ([]*domain.Link, error) {
	query := r.c(ctx).SignedLink.Query().Where(signedlink.OrgID(q.OrgID), signedlink.FilePath(q.FilePath))
	if q.After.ID != "" {
		at := dbTime(q.After.CreatedAt)
		query = query.Where(signedlink.Or(signedlink.CreatedAtGT(at),
			signedlink.And(signedlink.CreatedAt(at), signedlink.LinkIDGT(q.After.ID))))
	}
	if q.Limit > 0 {
		query = query.Limit(q.Limit)
	}
	rows, err := query.Order(ent.Asc(signedlink.FieldCreatedAt), ent.Asc(signedlink.FieldLinkID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list the links of a file: %w", translate(err))
	}
	out := make([]*domain.Link, len(rows))
	for i, row := range rows {
		out[i] = toLink(row)
	}
	return out, nil
}

// DeleteExpired removes up to limit links expired at or before before,
// the earliest first.
func (r *Links) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if before.IsZero() || limit < 1 {
		return 0, domain.Errorf(domain.ErrInvalid, "invalid_query", "A clean-up needs a time and a positive limit.")
	}
	t := dbTime(before)
	ids, err := r.c(ctx).SignedLink.Query().Where(signedlink.ExpiresAtLTE(t)).
		Order(ent.Asc(signedlink.FieldExpiresAt)).Limit(limit).IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: list expired links: %w", translate(err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := r.c(ctx).SignedLink.Delete().Where(signedlink.IDIn(ids...)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired links: %w", translate(err))
	}
	return n, nil
}

func toLink(row *ent.SignedLink) *domain.Link {
	d := domain.LinkData{ID: row.LinkID, OrgID: row.OrgID, FilePath: row.FilePath, RecordID: row.RecordID,
		Mode: domain.LinkMode(row.Mode), CreatedBy: row.CreatedBy, CreatedAt: dbTime(row.CreatedAt),
		ExpiresAt: dbTime(row.ExpiresAt), RevokedBy: row.RevokedBy, MaxUses: row.MaxUses, Uses: row.Uses}
	if row.RevokedAt != nil {
		d.RevokedAt = dbTime(*row.RevokedAt)
	}
	return domain.RehydrateLink(d)
}
