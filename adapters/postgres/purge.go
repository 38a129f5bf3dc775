package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent/filerecord"
	"storagegw/ent/predicate"
)

// ClaimPurgeBatch implements application.FileRepository.
//
// On PostgreSQL the batch is claimed in a transaction with SELECT … FOR
// UPDATE SKIP LOCKED, so purgers in any number of processes take disjoint
// batches, and a change to a claimed row through Update waits for the
// transaction; the tombstones are saved in the same transaction. A crash
// rolls it back: the records stay due. Called inside a transaction
// (DB.InTx), it claims and saves in that one, on either dialect, so the
// caller's own writes (the PURGE events) commit with the tombstones; on
// SQLite that transaction holds the file's write lock, which keeps every
// other claim, in any process, out until it ends. Outside a transaction
// SQLite has no row locks and a single writer: claims of this process
// take turns (one mutex per DB), the tombstones are saved by the
// optimistic rule, and a purger in another process that processed the
// same record loses its save, not the data.
func (r *FileRepo) ClaimPurgeBatch(ctx context.Context, q application.PurgeBatchQuery, work application.PurgeWork) ([]*domain.FileRecord, error) {
	if q.Before.IsZero() || q.Limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_purge_query", "A purge batch needs a cutoff and a positive limit.")
	}
	lock := r.db.dialect == DialectPostgres
	if r.db.inTx(ctx) {
		return r.claimAndSave(ctx, q, lock, work)
	}
	if !lock {
		r.db.purgeMu.Lock()
		defer r.db.purgeMu.Unlock()
		return r.claimAndSave(ctx, q, false, work)
	}
	var saved []*domain.FileRecord
	err := r.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		saved, err = r.claimAndSave(ctx, q, true, work)
		return err
	})
	if err != nil {
		return nil, err // rolled back: nothing to keep
	}
	return saved, nil
}

// claimAndSave selects the due records (locking them when lock is set),
// runs work and saves what it returns through Update (which moves the
// usage the tombstones no longer hold), in ascending order of org, so
// that concurrent purgers take the orgs' usage locks in one order.
func (r *FileRepo) claimAndSave(ctx context.Context, q application.PurgeBatchQuery, lock bool, work application.PurgeWork) ([]*domain.FileRecord, error) {
	c := r.c(ctx)
	where := []predicate.FileRecord{
		filerecord.StateEQ(filerecord.StateActive), filerecord.Deleted(true), filerecord.DeletedAtLT(dbTime(q.Before)),
	}
	if q.OrgID != "" {
		where = append(where, filerecord.OrgID(q.OrgID))
	}
	if q.AfterID != "" {
		where = append(where, filerecord.IDGT(q.AfterID))
	}
	if lock {
		where = append(where, func(s *entsql.Selector) { s.ForUpdate(entsql.WithLockAction(entsql.SkipLocked)) })
	}
	rows, err := c.FileRecord.Query().Where(where...).Order(filerecord.ByID()).Limit(q.Limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim purge batch: %w", translate(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	due := make([]*domain.FileRecord, 0, len(rows))
	for _, row := range rows {
		rec, err := toRecord(row)
		if err != nil {
			return nil, err
		}
		due = append(due, rec)
	}
	save, err := work(ctx, due)
	if err != nil {
		return nil, err
	}
	saved := make([]*domain.FileRecord, 0, len(save))
	save = slices.Clone(save)
	slices.SortStableFunc(save, func(a, b *domain.FileRecord) int { return strings.Compare(a.Path().OrgID(), b.Path().OrgID()) })
	for _, rec := range save {
		got, err := r.Update(ctx, rec)
		var de *domain.Error
		if errors.Is(err, domain.ErrNotFound) || errors.As(err, &de) && de.Code == domain.CodeConcurrentUpdate {
			continue // changed since it was claimed (SQLite): not ours to save
		}
		if err != nil {
			return nil, err
		}
		saved = append(saved, got)
	}
	return saved, nil
}

// ListOrgs implements application.FileRepository.
func (r *FileRepo) ListOrgs(ctx context.Context, after string, limit int) ([]string, error) {
	if limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_list_query", "A listing needs a positive limit.")
	}
	orgs, err := r.c(ctx).FileRecord.Query().
		Where(filerecord.OrgIDGT(after)).
		Unique(true).
		Order(filerecord.ByOrgID()).
		Limit(limit).
		Select(filerecord.FieldOrgID).
		Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list orgs: %w", translate(err))
	}
	return orgs, nil
}
