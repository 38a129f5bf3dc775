package application

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"storagegw/domain"
)

// FileRepository persists file records. Records are keyed by their path
// (unique). Update and Delete are optimistic: they succeed only while the
// stored record has the same id and its version equals the record's Version, and otherwise return an error
// matching domain.ErrExists with code domain.CodeConcurrentUpdate. Every method
// returns domain.ErrUnavailable (wrapped) when the database cannot be reached.
type FileRepository interface {
	// Create inserts rec and returns it as stored (with its version). A
	// record for the same path in any state, or with the same id, is
	// domain.ErrExists.
	Create(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error)

	// Get returns the record for path in any state; none is domain.ErrNotFound.
	Get(ctx context.Context, path domain.StoragePath) (*domain.FileRecord, error)

	// Update saves rec (see the optimistic rule above) and returns it as
	// stored, with its version advanced. A missing record is domain.ErrNotFound.
	Update(ctx context.Context, rec *domain.FileRecord) (*domain.FileRecord, error)

	// Delete removes rec's row (see the optimistic rule above). A missing
	// record is domain.ErrNotFound.
	Delete(ctx context.Context, rec *domain.FileRecord) error

	// List returns up to q.Limit records of q.OrgID whose path starts with
	// q.Prefix and sorts after q.After, in ascending byte order of path.
	// Only visible records (active, not deleted) are listed unless
	// q.IncludeDeleted, which lists records in every state. An empty OrgID
	// or a Limit below 1 is domain.ErrInvalid.
	List(ctx context.Context, q ListQuery) ([]*domain.FileRecord, error)

	// ListOrgs returns up to limit distinct org ids that hold records in
	// any state, sorting after after, in ascending order (the database's
	// collation: pages follow one another with after = the last id). A
	// limit below 1 is domain.ErrInvalid.
	ListOrgs(ctx context.Context, after string, limit int) ([]string, error)

	// ClaimPurgeBatch hands one batch of records due for the retention
	// purge to work, keeping concurrent purgers apart.
	//
	// Due means active and soft-deleted with DeletedAt strictly before
	// q.Before, in q.OrgID (every org when empty), with an id sorting after
	// q.AfterID; up to q.Limit of them are claimed, in ascending order of
	// id (as ListOrgs orders org ids). While work runs the batch is held: a concurrent
	// ClaimPurgeBatch skips held records instead of returning them (on
	// PostgreSQL, across processes: SELECT … FOR UPDATE SKIP LOCKED in a
	// transaction; on SQLite, within the process, and an SQLite file has a
	// single writer anyway). On PostgreSQL a change to a held record
	// through Update or Delete waits until the claim ends, so work must not
	// change held records itself: it returns the records to save instead.
	//
	// work is not called when nothing is due. It returns the records to
	// save, each changed through its methods; they are saved by the
	// optimistic rule of Update once work returns, and the saved ones
	// (as stored, version advanced) are returned. A record that changed
	// concurrently is left out, not an error. When work fails, nothing is
	// saved and its error is returned. An empty Before or a Limit below 1
	// is domain.ErrInvalid.
	ClaimPurgeBatch(ctx context.Context, q PurgeBatchQuery, work PurgeWork) ([]*domain.FileRecord, error)

	// ListLapsed returns up to limit records, in any state, whose
	// reservation's lease had lapsed at before (domain
	// FileRecord.LeaseLapsed(before)) and whose id sorts after afterID, in
	// ascending order of id. A zero before or a limit below 1 is
	// domain.ErrInvalid.
	ListLapsed(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.FileRecord, error)

	// Usage is kept by the repository: every Create, Update, Delete and
	// ClaimPurgeBatch save moves the usage of the record's org, system and
	// object type by what the record counts (domain FileRecord.Usage) less
	// what it counted as loaded (StoredUsage), in the write's transaction,
	// so the usage always equals a recount of the records, across
	// processes.

	// OrgUsage returns what org's records use and what the reservations of
	// its uploads in flight claim at now (domain FileRecord.Claim). Inside
	// a transaction (Transactor.InTx) it holds org's quota lock until the
	// transaction ends: another OrgUsage of org inside a transaction waits
	// for it and then sees what that one committed, so a quota check and
	// the reservation or commit it allows are atomic as long as every
	// write that adds to a quota-bound org's usage checks first, in its
	// transaction (application/quota.go). Writes that move usage take no
	// org-wide lock themselves: those of an org without a quota, or that
	// only free space, do not queue on one another. An empty org is
	// domain.ErrInvalid.
	OrgUsage(ctx context.Context, org string, now time.Time) (used, inflight domain.Usage, err error)

	// Usage returns the usage of org (every org when empty) per system and
	// object type, leaving out what counts nothing, ordered by
	// domain.SortUsage.
	Usage(ctx context.Context, org string) ([]domain.UsageEntry, error)

	// RecountUsage counts org's records (every org when empty) afresh,
	// as Usage would report them. With fix it also corrects the kept usage
	// to that count, reading both in one snapshot so that writes
	// committing meanwhile, which it does not see, stay counted.
	RecountUsage(ctx context.Context, org string, fix bool) ([]domain.UsageEntry, error)
}

// PurgeBatchQuery selects the records ClaimPurgeBatch claims.
type PurgeBatchQuery struct {
	Before  time.Time // soft-deleted strictly before this instant; required
	OrgID   string    // empty: every org
	AfterID string    // resume after this record id; empty: from the first
	Limit   int
}

// PurgeWork is what a purger does with a claimed batch: it returns the
// records to save (a subset of due, changed through their methods).
type PurgeWork func(ctx context.Context, due []*domain.FileRecord) (save []*domain.FileRecord, err error)

// ListQuery selects records for FileRepository.List.
type ListQuery struct {
	OrgID          string // required
	Prefix         string // a path prefix within the org, e.g. "org-1/accounting/"
	After          string // the last path of the previous page
	Limit          int
	IncludeDeleted bool
}

// isConflict reports a lost optimistic update (ErrExists with code
// domain.CodeConcurrentUpdate).
func isConflict(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeConcurrentUpdate
}

// newID is the id of a new record, session, upload or audit event: a
// UUIDv7, so ids sort by creation time.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
