package postgres

import (
	"context"
	"fmt"
	"time"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/uploadsession"
)

var _ application.UploadSessions = (*Sessions)(nil)

// Sessions is the application.UploadSessions on the upload_sessions table.
// Every method runs in the transaction ctx carries (DB.InTx), if any.
type Sessions struct {
	db *DB
}

// NewSessions returns the upload-session repository of db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

// c is the client of ctx: its transaction's or the pool's.
func (r *Sessions) c(ctx context.Context) *ent.Client { return r.db.clientFor(ctx) }

// Create inserts s with version 1.
func (r *Sessions) Create(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error) {
	d := normalizedSession(s.Data())
	d.Version = 1
	_, err := r.c(ctx).UploadSession.Create().
		SetID(d.ID).
		SetOrgID(d.Path.OrgID()).
		SetFilePath(d.Path.String()).
		SetUploadID(d.UploadID).
		SetStoreUploadID(d.StoreUploadID).
		SetOriginalFilename(d.OriginalFilename).
		SetDeclaredSize(d.DeclaredSize).
		SetPartSize(d.PartSize).
		SetContentType(d.ContentType).
		SetCreatedBy(d.CreatedBy).
		SetCreatedAt(d.CreatedAt).
		SetUpdatedAt(d.UpdatedAt).
		SetExpiresAt(d.ExpiresAt).
		SetState(uploadsession.State(d.State)).
		SetNillableClaimedUntil(timePtr(d.ClaimedUntil)).
		SetVersion(d.Version).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: create upload session %q: %w", d.ID, translate(err))
	}
	return domain.RehydrateUploadSession(d)
}

// Get returns the session with id.
func (r *Sessions) Get(ctx context.Context, id string) (*domain.UploadSession, error) {
	row, err := r.c(ctx).UploadSession.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get upload session %q: %w", id, translate(err))
	}
	return toSession(row)
}

// Update saves s's state if the stored row still has s's version, and
// advances the version by one.
func (r *Sessions) Update(ctx context.Context, s *domain.UploadSession) (*domain.UploadSession, error) {
	d := normalizedSession(s.Data())
	u := r.c(ctx).UploadSession.Update().
		Where(uploadsession.ID(d.ID), uploadsession.Version(d.Version)).
		SetState(uploadsession.State(d.State)).
		SetUpdatedAt(d.UpdatedAt).
		SetVersion(d.Version + 1)
	if d.ClaimedUntil.IsZero() {
		u.ClearClaimedUntil()
	} else {
		u.SetClaimedUntil(d.ClaimedUntil)
	}
	n, err := u.Save(ctx)
	if err == nil && n == 0 {
		err = r.conflict(ctx, d.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update upload session %q: %w", d.ID, translate(err))
	}
	d.Version++
	return domain.RehydrateUploadSession(d)
}

// Delete removes s's row if it still has s's version.
func (r *Sessions) Delete(ctx context.Context, s *domain.UploadSession) error {
	n, err := r.c(ctx).UploadSession.Delete().
		Where(uploadsession.ID(s.ID()), uploadsession.Version(s.Version())).
		Exec(ctx)
	if err == nil && n == 0 {
		err = r.conflict(ctx, s.ID())
	}
	if err != nil {
		return fmt.Errorf("postgres: delete upload session %q: %w", s.ID(), translate(err))
	}
	return nil
}

// ListExpired returns sessions expiring at or before before, by id.
func (r *Sessions) ListExpired(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.UploadSession, error) {
	if before.IsZero() || limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs a time and a positive limit.")
	}
	rows, err := r.c(ctx).UploadSession.Query().
		Where(uploadsession.ExpiresAtLTE(dbTime(before)), uploadsession.IDGT(afterID)).
		Order(ent.Asc(uploadsession.FieldID)).
		Limit(limit).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list expired upload sessions: %w", translate(err))
	}
	out := make([]*domain.UploadSession, 0, len(rows))
	for _, row := range rows {
		s, err := toSession(row)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// conflict explains why a guarded write matched no row: no session with
// that id (ErrNotFound), or another version of it (concurrent_update).
func (r *Sessions) conflict(ctx context.Context, id string) error {
	exists, err := r.c(ctx).UploadSession.Query().Where(uploadsession.ID(id)).Exist(ctx)
	switch {
	case err != nil:
		return err
	case !exists:
		return domain.Errorf(domain.ErrNotFound, "not_found", "No such upload session.")
	}
	return domain.Errorf(domain.ErrExists, domain.CodeConcurrentUpdate,
		"The upload session was changed by another request; try again.")
}

// normalizedSession returns d with its times as they will be stored.
func normalizedSession(d domain.UploadSessionData) domain.UploadSessionData {
	d.CreatedAt, d.UpdatedAt, d.ExpiresAt = dbTime(d.CreatedAt), dbTime(d.UpdatedAt), dbTime(d.ExpiresAt)
	d.ClaimedUntil = dbTime(d.ClaimedUntil)
	return d
}

// toSession rebuilds the domain session of a row; a row that does not
// hold a valid session is an internal error (its kind dropped, %v).
func toSession(row *ent.UploadSession) (*domain.UploadSession, error) {
	p, err := domain.ParseStoragePath(row.FilePath)
	if err != nil {
		return nil, fmt.Errorf("postgres: stored upload session %q has a bad path: %v", row.ID, err)
	}
	s, err := domain.RehydrateUploadSession(domain.UploadSessionData{
		ID: row.ID, Path: p, UploadID: row.UploadID, StoreUploadID: row.StoreUploadID,
		OriginalFilename: row.OriginalFilename, DeclaredSize: row.DeclaredSize, PartSize: row.PartSize,
		ContentType: row.ContentType, CreatedBy: row.CreatedBy,
		CreatedAt: dbTime(row.CreatedAt), UpdatedAt: dbTime(row.UpdatedAt), ExpiresAt: dbTime(row.ExpiresAt),
		State: domain.SessionState(row.State), ClaimedUntil: timeOf(row.ClaimedUntil), Version: row.Version,
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: stored upload session %q: %v", row.ID, err)
	}
	return s, nil
}
