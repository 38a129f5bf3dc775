package postgres

import (
	"context"
	"fmt"
	"time"

	"storagegw/domain"
	"storagegw/ent"
	"storagegw/ent/filerecord"
)

// ListLapsed returns records whose reservation's lease had lapsed at
// before, by id: pending_until at or before it, or, for a reservation made
// before leases existed (no pending_until), pending_since at least
// domain.LegacyReservation before it.
func (r *FileRepo) ListLapsed(ctx context.Context, before time.Time, afterID string, limit int) ([]*domain.FileRecord, error) {
	if before.IsZero() || limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_query", "A listing needs a time and a positive limit.")
	}
	at := dbTime(before)
	rows, err := r.c(ctx).FileRecord.Query().
		Where(filerecord.PendingUploadIDNEQ(""), filerecord.IDGT(afterID),
			filerecord.Or(
				filerecord.PendingUntilLTE(at),
				filerecord.And(filerecord.PendingUntilIsNil(), filerecord.PendingSinceLTE(at.Add(-domain.LegacyReservation))),
			)).
		Order(ent.Asc(filerecord.FieldID)).
		Limit(limit).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list lapsed reservations: %w", translate(err))
	}
	out := make([]*domain.FileRecord, 0, len(rows))
	for _, row := range rows {
		rec, err := toRecord(row)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}
