package application

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"storagegw/domain"
)

// purgeEventNamespace derives the ids of PURGE events (UUID version 5).
var purgeEventNamespace = uuid.MustParse("0b6f5e37-2f4c-4a53-9a0e-6d7d52b1c0de")

// PurgeEventID is the id of the PURGE event of the record id soft-deleted
// at deletedAt. It is the same for every attempt to purge that deletion, so
// a purge that is retried or races another writes the event once.
func PurgeEventID(recordID string, deletedAt time.Time) string {
	name := recordID + "\x00" + deletedAt.UTC().Format(time.RFC3339Nano)
	return uuid.NewSHA1(purgeEventNamespace, []byte(name)).String()
}

// purgeEvent is the PURGE event of a file whose blob is gone. deleted is
// the record as it was before the purge.
func purgeEvent(path domain.StoragePath, deleted domain.FileRecordData, olderThan time.Duration, now time.Time) (*domain.AuditEvent, error) {
	return domain.NewAuditEvent(domain.AuditEventData{
		ID:        PurgeEventID(deleted.ID, deleted.DeletedAt),
		Timestamp: now,
		Actor:     domain.Actor{UserID: domain.SystemActor, Role: domain.RoleSystem, OrgID: path.OrgID()},
		Action:    domain.ActionPurge,
		FilePath:  path.String(), RelatedObjectType: string(path.ObjectType()), RelatedObjectID: path.ObjectID(),
		Metadata: map[string]any{
			"size_bytes": deleted.Content.SizeBytes,
			"sha256":     deleted.Content.SHA256,
			"deleted_at": deleted.DeletedAt.UTC().Format(time.RFC3339Nano),
			"deleted_by": deleted.DeletedBy,
			"retention":  olderThan.String(),
		},
		Success: true,
	})
}

// appendEvents writes, in the batch's transaction (ctx), the PURGE event
// of each tombstone saved. Any failure fails the batch: the transaction
// then rolls back tombstones and events together.
func (r *purgeRun) appendEvents(ctx context.Context, saved []*domain.FileRecord) error {
	for _, rec := range saved {
		ev, ok := r.events[rec.ID()]
		if !ok { // the repository saved a record work did not return
			return fmt.Errorf("purge: no PURGE event drafted for saved record %s", rec.ID())
		}
		if err := r.audit.log.Append(ctx, ev); err != nil {
			return auditUnavailable(err)
		}
	}
	return nil
}
