package domain

import (
	"strconv"
	"time"
)

// TusUpload is the state of one TUS upload (the resumable-upload protocol
// at /api/storage/tus/): how many of its bytes the store holds (Offset),
// how they are laid out, who may continue it, and which request is writing
// to it now (a lease, so that replicas never write one upload at once).
// The bytes go into the multipart upload of the session with the same id
// (UploadSession): every full part of the session's plan as a part, the
// bytes past the last full part as segment blobs (SegmentKey), at most one
// part's worth. Its fields change only through its methods.
type TusUpload struct {
	d TusUploadData
}

// TusUploadData is a TUS upload's state as adapters persist it. Build an
// upload from it only with RehydrateTusUpload.
type TusUploadData struct {
	ID        string // the session's id, the last segment of the upload URL
	Path      StoragePath
	CreatedBy string
	Length    int64   // Upload-Length, declared at creation
	Offset    int64   // bytes stored so far
	PartSize  int64   // the session's part size
	Segments  []int64 // sizes of the segment blobs past the last full part, in order
	Metadata  string  // the Upload-Metadata header as sent, echoed by HEAD
	Completed bool    // the file was committed: Path holds it
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
	LockOwner string // the request writing to the upload, if any
	LockUntil time.Time
	Version   int64 // optimistic-concurrency counter, owned by the repository
}

// MaxTusMetadataBytes bounds the Upload-Metadata header kept with an upload.
const MaxTusMetadataBytes = 4096

// NewTusUpload starts the TUS state of session s: nothing stored yet,
// expiring with the session.
func NewTusUpload(s *UploadSession, metadata string, now time.Time) (*TusUpload, error) {
	now = now.UTC()
	return RehydrateTusUpload(TusUploadData{
		ID: s.ID(), Path: s.Path(), CreatedBy: s.CreatedBy(), Length: s.DeclaredSize(), PartSize: s.Plan().Size,
		Metadata: metadata, CreatedAt: now, UpdatedAt: now, ExpiresAt: s.ExpiresAt(),
	})
}

// RehydrateTusUpload rebuilds an upload an adapter loaded from storage.
func RehydrateTusUpload(d TusUploadData) (*TusUpload, error) {
	var held int64
	for _, n := range d.Segments {
		held += n
	}
	switch {
	case d.ID == "" || d.CreatedBy == "" || d.Path.IsZero():
		return nil, Errorf(ErrInvalid, "invalid_tus_upload", "A TUS upload needs its id, path and creator.")
	case d.Length < 1 || d.PartSize < MinPartBytes || d.Offset < 0 || d.Offset > d.Length:
		return nil, Errorf(ErrInvalid, "invalid_tus_upload", "A TUS upload needs a length, a part size and an offset within it.")
	case held != d.Offset%d.PartSize && !(d.Completed && held == 0):
		return nil, Errorf(ErrInvalid, "invalid_tus_upload", "A TUS upload's segments must hold the bytes past its last full part.")
	case len(d.Metadata) > MaxTusMetadataBytes:
		return nil, Errorf(ErrInvalid, "invalid_tus_upload", "A TUS upload's metadata is too long.")
	case d.CreatedAt.IsZero() || d.ExpiresAt.IsZero():
		return nil, Errorf(ErrInvalid, "invalid_tus_upload", "A TUS upload needs a creation time and an expiry.")
	}
	d.Segments = append([]int64(nil), d.Segments...)
	return &TusUpload{d: d}, nil
}

// Data returns a copy of the upload's state for persisting.
func (u *TusUpload) Data() TusUploadData {
	d := u.d
	d.Segments = append([]int64(nil), d.Segments...)
	return d
}

func (u *TusUpload) ID() string           { return u.d.ID }
func (u *TusUpload) Path() StoragePath    { return u.d.Path }
func (u *TusUpload) Length() int64        { return u.d.Length }
func (u *TusUpload) Offset() int64        { return u.d.Offset }
func (u *TusUpload) PartSize() int64      { return u.d.PartSize }
func (u *TusUpload) Metadata() string     { return u.d.Metadata }
func (u *TusUpload) Completed() bool      { return u.d.Completed }
func (u *TusUpload) ExpiresAt() time.Time { return u.d.ExpiresAt }
func (u *TusUpload) Version() int64       { return u.d.Version }

// Expired reports whether the upload's lifetime is over at now.
func (u *TusUpload) Expired(now time.Time) bool { return !now.Before(u.d.ExpiresAt) }

// AccessibleBy reports whether p may see or continue the upload: the rule
// of sessions (UploadSession.AccessibleBy). Anyone else must be told that
// no such upload exists.
func (u *TusUpload) AccessibleBy(p Principal) bool {
	return u.d.Path.BelongsTo(p.OrgID) && (p.UserID == u.d.CreatedBy || p.Role == RoleAdmin)
}

// CheckWrite returns the error a PATCH at offset gets at now: an expired
// upload is ErrNotFound (upload_expired), a completed one ErrExists
// (upload_completed), another offset than the stored one ErrExists
// (offset_mismatch, 409 as TUS requires).
func (u *TusUpload) CheckWrite(offset int64, now time.Time) error {
	switch {
	case u.Expired(now):
		return Errorf(ErrNotFound, "upload_expired", "The upload expired; start a new one.")
	case u.d.Completed:
		return Errorf(ErrExists, "upload_completed", "The upload is complete; HEAD it for its Storage-File-Path.")
	case offset != u.d.Offset:
		return Errorf(ErrExists, "offset_mismatch",
			"The upload holds %d bytes; send a HEAD request and continue at its Upload-Offset.", u.d.Offset)
	}
	return nil
}

// Lock takes the upload's lease for owner until now+ttl. A lease another
// owner holds and that has not run out is ErrExists (upload_locked).
func (u *TusUpload) Lock(owner string, now time.Time, ttl time.Duration) error {
	if u.d.LockOwner != "" && u.d.LockOwner != owner && now.Before(u.d.LockUntil) {
		return Errorf(ErrExists, "upload_locked",
			"Another request is writing to this upload; send a HEAD request and retry once it ends.")
	}
	u.d.LockOwner, u.d.LockUntil, u.d.UpdatedAt = owner, now.Add(ttl).UTC(), now.UTC()
	return nil
}

// ExtendLock renews owner's lease until now+ttl (a lease never shortens),
// while the request holding it still runs. A lease that is no longer
// owner's (it ran out and another request took it) is ErrExists
// (upload_locked): the request must stop writing.
func (u *TusUpload) ExtendLock(owner string, now time.Time, ttl time.Duration) error {
	if owner == "" || u.d.LockOwner != owner {
		return Errorf(ErrExists, "upload_locked",
			"Another request is writing to this upload; send a HEAD request and retry once it ends.")
	}
	if until := now.Add(ttl).UTC(); until.After(u.d.LockUntil) {
		u.d.LockUntil = until
	}
	return nil
}

// LockOwner is the request holding the upload's lease, "" when none.
func (u *TusUpload) LockOwner() string { return u.d.LockOwner }

// Rebase takes the version and lease of stored, the same upload as its
// lease's renewals last saved it, so that saving u next applies to that
// row. Another upload is ErrInvalid.
func (u *TusUpload) Rebase(stored *TusUpload) error {
	if stored == nil || stored.d.ID != u.d.ID {
		return Errorf(ErrInvalid, "invalid_tus_upload", "An upload can only be rebased on itself.")
	}
	u.d.Version, u.d.LockOwner, u.d.LockUntil = stored.d.Version, stored.d.LockOwner, stored.d.LockUntil
	return nil
}

// Unlock gives the lease back.
func (u *TusUpload) Unlock(now time.Time) {
	u.d.LockOwner, u.d.LockUntil, u.d.UpdatedAt = "", time.Time{}, now.UTC()
}

// Pending is where the next PATCH's bytes go: the part number of the part
// being filled, its start offset and the bytes it still needs, and the
// segments (by start offset and size) already holding its first bytes.
func (u *TusUpload) Pending() (part int, need int64, segments []Segment) {
	p := u.plan()
	part = int(u.d.Offset/u.d.PartSize) + 1
	start := int64(part-1) * u.d.PartSize
	off := start
	for _, n := range u.d.Segments {
		segments = append(segments, Segment{Offset: off, Size: n})
		off += n
	}
	return part, p.SizeOf(part) - (u.d.Offset - start), segments
}

// Segment is one segment blob of an upload: Size bytes from Offset.
type Segment struct {
	Offset int64
	Size   int64
}

// PartStored records that the part being filled was stored: the offset
// moves to its end and its segments are no longer needed.
func (u *TusUpload) PartStored(now time.Time) {
	_, need, _ := u.Pending()
	u.d.Offset += need
	u.d.Segments, u.d.UpdatedAt = nil, now.UTC()
}

// SegmentStored records a segment of n bytes stored at the offset.
func (u *TusUpload) SegmentStored(n int64, now time.Time) {
	u.d.Offset += n
	u.d.Segments, u.d.UpdatedAt = append(u.d.Segments, n), now.UTC()
}

// Complete records that the file was committed.
func (u *TusUpload) Complete(now time.Time) {
	u.d.Offset, u.d.Segments, u.d.Completed, u.d.UpdatedAt = u.d.Length, nil, true, now.UTC()
}

// SegmentKey is the blob key of the segment of upload u that starts at
// offset: a sibling of the file's own blob, in the key layout of its path
// (PathOfBlobKey), so reconciliation knows it.
func (u *TusUpload) SegmentKey(offset int64) string {
	return u.d.Path.String() + "/" + u.d.ID + ".tus-" + strconv.FormatInt(offset, 10)
}

func (u *TusUpload) plan() PartPlan {
	return PartPlan{FileSize: u.d.Length, Size: u.d.PartSize, Count: int(ceilDiv(u.d.Length, u.d.PartSize))}
}
