package application

import (
	"context"

	"storagegw/domain"
)

// FileRepository persists file records. Records are keyed by their path
// (unique). Update and Delete are optimistic: they succeed only while the
// stored record has the same id and its version equals the record's Version, and otherwise return an error
// matching domain.ErrExists with code "concurrent_update". Every method
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
}

// ListQuery selects records for FileRepository.List.
type ListQuery struct {
	OrgID          string // required
	Prefix         string // a path prefix within the org, e.g. "org-1/accounting/"
	After          string // the last path of the previous page
	Limit          int
	IncludeDeleted bool
}
