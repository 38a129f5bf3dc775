package domain

import "time"

// RecordState is where a file record is in its lifecycle.
type RecordState string

// The lifecycle states. A record is pending from the moment its path is
// reserved until its first blob is committed, active while it has a blob, and
// purged once its blob was removed for good (a tombstone kept for history).
const (
	StatePending RecordState = "pending"
	StateActive  RecordState = "active"
	StatePurged  RecordState = "purged"
)

// Content describes a stored blob: where it is and what it holds.
type Content struct {
	BlobKey     string
	ContentType string // sniffed from the bytes
	SizeBytes   int64
	SHA256      string // lower-case hex
}

// FileRecord is the metadata of one stored path. Its fields change only
// through its methods, which enforce the lifecycle.
type FileRecord struct {
	d FileRecordData
	// stored is what the record counted for in its org's usage as it was
	// loaded or last saved (see StoredUsage).
	stored Usage
	// hold is the legal hold that covers the record's path, as the use
	// case that answers with the record looked it up (ShowLegalHold); no
	// repository stores it.
	hold *LegalHold
}

// FileRecordData is a FileRecord's state as adapters persist it. Build a
// record from it only with RehydrateFileRecord.
type FileRecordData struct {
	ID               string
	Path             StoragePath
	OriginalFilename string
	Content          Content
	UploadedBy       string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	State            RecordState
	Deleted          bool
	DeletedAt        time.Time
	DeletedBy        string
	PendingUploadID  string    // the upload that holds the path's reservation
	PendingSince     time.Time // when that upload reserved it
	PendingUntil     time.Time // when that reservation's lease lapses unless renewed
	PendingBytes     int64     // the size that upload declared (0: none), claimed against the org's quota
	Version          int64     // optimistic-concurrency counter, owned by the repository
}

// NewPendingRecord reserves path for the upload uploadID, under a lease
// that lapses lease after now unless the upload renews it (ExtendLease).
func NewPendingRecord(id string, path StoragePath, originalFilename, by, uploadID string, now time.Time,
	lease time.Duration) (*FileRecord, error) {
	switch {
	case id == "" || uploadID == "":
		return nil, Errorf(ErrInvalid, "invalid_record", "A record needs an id and an upload id.")
	case path.IsZero():
		return nil, Errorf(ErrInvalid, "invalid_record", "A record needs a path.")
	case by == "":
		return nil, Errorf(ErrInvalid, "invalid_record", "A record needs an uploader.")
	case now.IsZero() || lease <= 0:
		return nil, Errorf(ErrInvalid, "invalid_record", "A record needs a time and a lease.")
	case len(originalFilename) > MaxOriginalFilenameBytes:
		return nil, Errorf(ErrInvalid, "filename_too_long", "The file name is longer than %d bytes.", MaxOriginalFilenameBytes)
	}
	if err := CheckText("filename", originalFilename); err != nil {
		return nil, err
	}
	now = now.UTC()
	return &FileRecord{d: FileRecordData{
		ID: id, Path: path, OriginalFilename: originalFilename, UploadedBy: by,
		CreatedAt: now, UpdatedAt: now, State: StatePending,
		PendingUploadID: uploadID, PendingSince: now, PendingUntil: now.Add(lease),
	}}, nil
}

// RehydrateFileRecord rebuilds a record that an adapter loaded from storage.
func RehydrateFileRecord(d FileRecordData) (*FileRecord, error) {
	if d.ID == "" || d.Path.IsZero() {
		return nil, Errorf(ErrInvalid, "invalid_record", "A stored record lacks its id or path.")
	}
	switch d.State {
	case StatePending, StateActive, StatePurged:
	default:
		return nil, Errorf(ErrInvalid, "invalid_record", "A stored record has an unknown state %q.", clip(string(d.State)))
	}
	if d.State == StateActive && d.Content.BlobKey == "" {
		return nil, Errorf(ErrInvalid, "invalid_record", "A stored active record has no blob key.")
	}
	r := &FileRecord{d: d}
	r.stored = r.Usage()
	return r, nil
}

// Data returns a copy of the record's state for persisting.
func (r *FileRecord) Data() FileRecordData { return r.d }

func (r *FileRecord) ID() string               { return r.d.ID }
func (r *FileRecord) Path() StoragePath        { return r.d.Path }
func (r *FileRecord) OriginalFilename() string { return r.d.OriginalFilename }
func (r *FileRecord) Content() Content         { return r.d.Content }
func (r *FileRecord) UploadedBy() string       { return r.d.UploadedBy }
func (r *FileRecord) CreatedAt() time.Time     { return r.d.CreatedAt }
func (r *FileRecord) UpdatedAt() time.Time     { return r.d.UpdatedAt }
func (r *FileRecord) State() RecordState       { return r.d.State }
func (r *FileRecord) Deleted() bool            { return r.d.Deleted }
func (r *FileRecord) DeletedAt() time.Time     { return r.d.DeletedAt }
func (r *FileRecord) DeletedBy() string        { return r.d.DeletedBy }
func (r *FileRecord) PendingUploadID() string  { return r.d.PendingUploadID }
func (r *FileRecord) PendingUntil() time.Time  { return r.d.PendingUntil }
func (r *FileRecord) Version() int64           { return r.d.Version }

// Visible reports whether callers can see the file: it has a committed blob
// and is not deleted.
func (r *FileRecord) Visible() bool { return r.d.State == StateActive && !r.d.Deleted }

// WouldOverwrite reports whether an upload to this record's path replaces
// content that callers can see or restore (so it needs overwrite=true and is
// audited as EDIT).
func (r *FileRecord) WouldOverwrite() bool { return r.d.State == StateActive }

// AuthorizeOverwrite checks that p may replace this record's content
// (WouldOverwrite): a visible file needs PermOverwrite; a soft-deleted one
// needs PermHardDelete, since replacing it destroys what an admin could
// still restore.
func (r *FileRecord) AuthorizeOverwrite(p Principal) error {
	if !r.d.Deleted {
		return p.Authorize(PermOverwrite)
	}
	if !p.Role.Can(PermHardDelete) {
		return Errorf(ErrForbidden, "forbidden",
			"Replacing a deleted file destroys it, which your role (%s) does not allow; an admin can restore it or replace it.", p.Role)
	}
	return nil
}

// BeginUpload reserves the record's path for uploadID, under a lease that
// lapses lease after now unless the upload renews it (ExtendLease). A path
// holding a file (visible or soft-deleted) needs overwrite; a path whose
// reservation by another upload still holds its lease is ErrExists
// (upload_in_progress). A lapsed lease is taken over: its upload died
// (a crashed or cut process) or stopped renewing, and cannot commit any
// more (CompleteUpload checks the reservation).
func (r *FileRecord) BeginUpload(uploadID string, overwrite bool, now time.Time, lease time.Duration) error {
	if uploadID == "" || lease <= 0 {
		return Errorf(ErrInvalid, "invalid_upload", "An upload needs an id and a lease.")
	}
	if r.d.PendingUploadID != "" && !r.LeaseLapsed(now) {
		return Errorf(ErrExists, "upload_in_progress", "Another upload to this path is in progress.")
	}
	if r.d.State == StateActive && !overwrite {
		if r.d.Deleted {
			return Errorf(ErrExists, "deleted_file_at_path",
				"A deleted file still occupies this path; an admin can restore it, or replace it with overwrite=true.")
		}
		return Errorf(ErrExists, "file_exists", "A file already exists at this path; set overwrite=true to replace it.")
	}
	r.d.PendingUploadID = uploadID
	r.d.PendingSince = now.UTC()
	r.d.PendingUntil = now.UTC().Add(lease)
	r.d.PendingBytes = 0
	return nil
}

// LeaseLapsed reports whether the record holds a reservation whose lease
// lapsed at now: the upload holding it is taken to be dead. A record
// without a reservation has no lease to lapse.
func (r *FileRecord) LeaseLapsed(now time.Time) bool {
	if r.d.PendingUploadID == "" {
		return false
	}
	until := r.d.PendingUntil
	if until.IsZero() { // reserved by a version without leases: its rule
		until = r.d.PendingSince.Add(LegacyReservation)
	}
	return !now.Before(until)
}

// LegacyReservation is how long a reservation that carries no lease (made
// by a version of the service before leases) holds its path.
const LegacyReservation = time.Hour

// RenewUpload refreshes uploadID's reservation of the record's path, so an
// upload that is still making progress (a multipart session) is seen to
// be alive; its lease never shortens. A reservation that is no longer
// uploadID's is ErrExists (upload_superseded).
func (r *FileRecord) RenewUpload(uploadID string, now time.Time) error {
	if uploadID == "" || r.d.PendingUploadID != uploadID {
		return Errorf(ErrExists, "upload_superseded", "Another upload to this path took over; this one was discarded.")
	}
	r.d.PendingSince = now.UTC()
	return nil
}

// ExtendLease renews uploadID's lease on the record's path until until (a
// lease never shortens). A reservation that is no longer uploadID's,
// taken over after its lease lapsed or released by a delete, is ErrExists
// (upload_superseded): the upload must stop.
func (r *FileRecord) ExtendLease(uploadID string, until time.Time) error {
	if uploadID == "" || r.d.PendingUploadID != uploadID {
		return Errorf(ErrExists, "upload_superseded", "Another upload to this path took over; this one was discarded.")
	}
	if until.After(r.d.PendingUntil) {
		r.d.PendingUntil = until.UTC()
	}
	return nil
}

// CompleteUpload commits the blob written by uploadID as the record's
// content. It returns the blob key the new content replaces ("" if none),
// which the caller removes once the record is saved. An upload whose
// reservation was taken over is ErrExists.
func (r *FileRecord) CompleteUpload(uploadID string, c Content, originalFilename, by string, now time.Time) (replaced string, err error) {
	if uploadID == "" || r.d.PendingUploadID != uploadID {
		if r.d.Deleted && r.d.PendingUploadID == "" {
			return "", Errorf(ErrExists, "upload_superseded", "The file was deleted while this upload ran; the upload was discarded.")
		}
		return "", Errorf(ErrExists, "upload_superseded", "Another upload to this path took over; this one was discarded.")
	}
	if c.BlobKey == "" || c.SizeBytes < 0 || len(c.SHA256) != 64 || c.ContentType == "" {
		return "", Errorf(ErrInvalid, "invalid_content", "Committed content needs a blob key, size, sha256 and type.")
	}
	replaced = r.d.Content.BlobKey
	if replaced == c.BlobKey {
		replaced = ""
	}
	r.d.Content = c
	r.d.OriginalFilename = originalFilename
	r.d.UploadedBy = by
	r.d.UpdatedAt = now.UTC()
	if r.d.State != StateActive {
		r.d.CreatedAt = now.UTC()
	}
	r.d.State = StateActive
	r.d.Deleted, r.d.DeletedAt, r.d.DeletedBy = false, time.Time{}, ""
	r.d.PendingUploadID, r.d.PendingSince, r.d.PendingUntil, r.d.PendingBytes = "", time.Time{}, time.Time{}, 0
	return replaced, nil
}

// AbandonUpload releases uploadID's reservation after a failed upload. It
// reports whether the record held nothing else and should be removed.
// It is a no-op when uploadID no longer holds the reservation.
func (r *FileRecord) AbandonUpload(uploadID string) (removeRecord bool) {
	if r.d.PendingUploadID != uploadID {
		return false
	}
	r.d.PendingUploadID, r.d.PendingSince, r.d.PendingUntil, r.d.PendingBytes = "", time.Time{}, time.Time{}, 0
	return r.d.State == StatePending
}

// SoftDelete marks a visible file deleted. A file that is not visible
// (already deleted, pending or purged) is ErrNotFound.
func (r *FileRecord) SoftDelete(by string, at time.Time) error {
	if !r.Visible() {
		return Errorf(ErrNotFound, "not_found", "No such file.")
	}
	if by == "" {
		return Errorf(ErrInvalid, "invalid_actor", "A delete needs an actor.")
	}
	r.d.Deleted, r.d.DeletedAt, r.d.DeletedBy = true, at.UTC(), by
	r.d.UpdatedAt = at.UTC()
	// The delete wins over an overwrite in progress: that upload finds its
	// reservation gone and is discarded, so what was deleted stays
	// restorable (replacing a deleted file is for AuthorizeOverwrite to
	// allow, when the upload starts after the delete).
	r.d.PendingUploadID, r.d.PendingSince, r.d.PendingUntil, r.d.PendingBytes = "", time.Time{}, time.Time{}, 0
	return nil
}

// Restore undoes a soft delete. Only a soft-deleted file with its blob can
// be restored; anything else is ErrNotFound.
func (r *FileRecord) Restore(at time.Time) error {
	if r.d.State != StateActive || !r.d.Deleted {
		return Errorf(ErrNotFound, "not_found", "No deleted file at this path.")
	}
	r.d.Deleted, r.d.DeletedAt, r.d.DeletedBy = false, time.Time{}, ""
	r.d.UpdatedAt = at.UTC()
	return nil
}

// Purge turns the record into a tombstone whose blob is to be removed for
// good, and returns that blob's key. by is the actor ("system" for the
// retention purge). A record without a blob is ErrNotFound.
func (r *FileRecord) Purge(by string, at time.Time) (blobKey string, err error) {
	if r.d.State != StateActive {
		return "", Errorf(ErrNotFound, "not_found", "No such file.")
	}
	blobKey = r.d.Content.BlobKey
	r.d.State = StatePurged
	r.d.Content.BlobKey = ""
	if !r.d.Deleted {
		r.d.Deleted, r.d.DeletedAt, r.d.DeletedBy = true, at.UTC(), by
	}
	r.d.UpdatedAt = at.UTC()
	return blobKey, nil
}

// DeletedLongerThan reports whether the record was soft-deleted more than
// retention before now.
func (r *FileRecord) DeletedLongerThan(retention time.Duration, now time.Time) bool {
	return r.d.State == StateActive && r.d.Deleted && now.Sub(r.d.DeletedAt) > retention
}

// Usage is what the record counts for in its org's usage: its size and one
// file while it holds a blob (active, visible or soft-deleted); nothing
// while pending or once purged.
func (r *FileRecord) Usage() Usage {
	if r.d.State != StateActive {
		return Usage{}
	}
	return Usage{Bytes: r.d.Content.SizeBytes, Files: 1}
}

// StoredUsage is what the record counted for as it was loaded (rebuilt
// with RehydrateFileRecord): a repository that saves the record moves its
// org's usage by Usage() - StoredUsage(), which is exact because its
// optimistic rule saves only over the stored version the record was
// loaded at. A new record (NewPendingRecord) counted nothing.
func (r *FileRecord) StoredUsage() Usage { return r.stored }

// DeclareSize records the size uploadID declared for the reservation it
// holds (0: unknown), which the org's quota counts while the reservation
// holds (Claim). A reservation that is not uploadID's is ErrExists
// (upload_superseded).
func (r *FileRecord) DeclareSize(uploadID string, size int64) error {
	if uploadID == "" || r.d.PendingUploadID != uploadID {
		return Errorf(ErrExists, "upload_superseded", "Another upload to this path took over; this one was discarded.")
	}
	r.d.PendingBytes = max(0, size)
	return nil
}

// Claim is what the record's reservation holds of its org's quota at now,
// beyond what the record already uses: the declared size, and one file
// when the path holds none yet. A lapsed reservation, or none, claims
// nothing.
func (r *FileRecord) Claim(now time.Time) Usage {
	if r.d.PendingUploadID == "" || r.LeaseLapsed(now) {
		return Usage{}
	}
	c := Usage{Bytes: r.d.PendingBytes}
	if r.d.State != StateActive {
		c.Files = 1
	}
	return c
}
