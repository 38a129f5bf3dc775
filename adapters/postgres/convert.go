package postgres

import (
	"fmt"
	"time"

	"storagegw/domain"
	"storagegw/ent"
)

// dbTime is how every time is stored: UTC, microsecond precision (what
// PostgreSQL keeps; SQLite is held to the same so both dialects agree).
func dbTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return dbTime(*p)
}

// normalized returns d with its times as they will be stored.
func normalized(d domain.FileRecordData) domain.FileRecordData {
	d.CreatedAt, d.UpdatedAt = dbTime(d.CreatedAt), dbTime(d.UpdatedAt)
	d.DeletedAt, d.PendingSince, d.PendingUntil = dbTime(d.DeletedAt), dbTime(d.PendingSince), dbTime(d.PendingUntil)
	return d
}

// toRecord rebuilds the domain record of a row. A row that does not hold a
// valid record is an internal error, not the caller's fault, so its kind is
// deliberately dropped (%v).
func toRecord(row *ent.FileRecord) (*domain.FileRecord, error) {
	p, err := domain.ParseStoragePath(row.FilePath)
	if err != nil {
		return nil, fmt.Errorf("postgres: stored record %q has a bad path: %v", row.ID, err)
	}
	rec, err := domain.RehydrateFileRecord(domain.FileRecordData{
		ID:               row.ID,
		Path:             p,
		OriginalFilename: row.OriginalFilename,
		Content: domain.Content{
			BlobKey:     row.BlobKey,
			ContentType: row.ContentType,
			SizeBytes:   row.SizeBytes,
			SHA256:      row.Sha256,
		},
		UploadedBy:      row.UploadedBy,
		CreatedAt:       dbTime(row.CreatedAt),
		UpdatedAt:       dbTime(row.UpdatedAt),
		State:           domain.RecordState(row.State),
		Deleted:         row.Deleted,
		DeletedAt:       timeOf(row.DeletedAt),
		DeletedBy:       row.DeletedBy,
		PendingUploadID: row.PendingUploadID,
		PendingSince:    timeOf(row.PendingSince),
		PendingUntil:    timeOf(row.PendingUntil),
		PendingBytes:    row.PendingBytes,
		Version:         row.Version,
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: stored record %q: %v", row.ID, err)
	}
	return rec, nil
}

// toEvent rebuilds the domain audit event of a row.
func toEvent(row *ent.AuditEvent) *domain.AuditEvent {
	return domain.RehydrateAuditEvent(domain.AuditEventData{
		ID:        row.ID,
		Timestamp: dbTime(row.Timestamp),
		Actor: domain.Actor{
			UserID:    row.UserID,
			Role:      domain.Role(row.UserRole),
			OrgID:     row.OrgID,
			IP:        row.IPAddress,
			UserAgent: row.UserAgent,
		},
		Action:            domain.Action(row.ActionType),
		FilePath:          row.FilePath,
		RelatedObjectType: row.RelatedObjectType,
		RelatedObjectID:   row.RelatedObjectID,
		Metadata:          row.Metadata,
		Success:           row.Success,
		ErrorMessage:      row.ErrorMessage,
	})
}
