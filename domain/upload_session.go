package domain

import "time"

// SessionState is where a multipart upload session is in its lifecycle.
// A session that completed or was aborted is deleted, so these are the
// only states a stored session has.
type SessionState string

// The session states: active while the client uploads parts; completing
// while one request assembles and commits it; aborting while its parts
// and reservation are being discarded.
const (
	SessionActive     SessionState = "active"
	SessionCompleting SessionState = "completing"
	SessionAborting   SessionState = "aborting"
)

// UploadSession is a multipart upload in progress: a path reserved for
// the upload UploadID, the store's own multipart upload that receives
// the parts, and what the client declared. Its fields change only through
// its methods.
type UploadSession struct {
	d UploadSessionData
}

// UploadSessionData is a session's state as adapters persist it. Build a
// session from it only with RehydrateUploadSession.
type UploadSessionData struct {
	ID               string // what the client calls the upload ("upload_id" in the API)
	Path             StoragePath
	UploadID         string // the path's reservation; the blob key is BlobKeyFor(Path, UploadID)
	StoreUploadID    string // the store's id of its multipart upload
	OriginalFilename string
	DeclaredSize     int64
	PartSize         int64
	ContentType      string // declared by the client, checked against the rule; may be empty
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ExpiresAt        time.Time
	State            SessionState
	ClaimedUntil     time.Time // while completing or aborting: when that request's claim lapses
	Version          int64     // optimistic-concurrency counter, owned by the repository
}

// NewUploadSession starts an active session that expires ttl after now.
// The declared size must fit a part plan of d.PartSize (see PlanParts).
func NewUploadSession(d UploadSessionData, now time.Time, ttl time.Duration) (*UploadSession, error) {
	if now.IsZero() || ttl <= 0 {
		return nil, Errorf(ErrInvalid, "invalid_upload_session", "A session needs a time and a lifetime.")
	}
	now = now.UTC()
	d.CreatedAt, d.UpdatedAt, d.ExpiresAt = now, now, now.Add(ttl)
	d.State, d.Version = SessionActive, 0
	return RehydrateUploadSession(d)
}

// RehydrateUploadSession rebuilds a session that an adapter loaded from
// storage, or that NewUploadSession built.
func RehydrateUploadSession(d UploadSessionData) (*UploadSession, error) {
	switch {
	case d.ID == "" || d.UploadID == "" || d.StoreUploadID == "" || d.CreatedBy == "":
		return nil, Errorf(ErrInvalid, "invalid_upload_session", "A session needs its ids and creator.")
	case d.Path.IsZero():
		return nil, Errorf(ErrInvalid, "invalid_upload_session", "A session needs a path.")
	case d.CreatedAt.IsZero() || d.ExpiresAt.IsZero():
		return nil, Errorf(ErrInvalid, "invalid_upload_session", "A session needs a creation time and an expiry.")
	}
	switch d.State {
	case SessionActive, SessionCompleting, SessionAborting:
	default:
		return nil, Errorf(ErrInvalid, "invalid_upload_session", "A session has an unknown state %q.", clip(string(d.State)))
	}
	plan, err := PlanParts(d.DeclaredSize, d.PartSize)
	if err != nil {
		return nil, err
	}
	if plan.Size != d.PartSize {
		return nil, Errorf(ErrInvalid, "invalid_upload_session", "A session's part size must come from PlanParts.")
	}
	return &UploadSession{d: d}, nil
}

// Data returns a copy of the session's state for persisting.
func (s *UploadSession) Data() UploadSessionData { return s.d }

func (s *UploadSession) ID() string               { return s.d.ID }
func (s *UploadSession) Path() StoragePath        { return s.d.Path }
func (s *UploadSession) UploadID() string         { return s.d.UploadID }
func (s *UploadSession) StoreUploadID() string    { return s.d.StoreUploadID }
func (s *UploadSession) OriginalFilename() string { return s.d.OriginalFilename }
func (s *UploadSession) DeclaredSize() int64      { return s.d.DeclaredSize }
func (s *UploadSession) ContentType() string      { return s.d.ContentType }
func (s *UploadSession) CreatedBy() string        { return s.d.CreatedBy }
func (s *UploadSession) CreatedAt() time.Time     { return s.d.CreatedAt }
func (s *UploadSession) ExpiresAt() time.Time     { return s.d.ExpiresAt }
func (s *UploadSession) State() SessionState      { return s.d.State }
func (s *UploadSession) ClaimedUntil() time.Time  { return s.d.ClaimedUntil }
func (s *UploadSession) Version() int64           { return s.d.Version }

// BlobKey is where the assembled file is stored.
func (s *UploadSession) BlobKey() string { return BlobKeyFor(s.d.Path, s.d.UploadID) }

// Plan is how the declared size is cut into parts.
func (s *UploadSession) Plan() PartPlan {
	return PartPlan{FileSize: s.d.DeclaredSize, Size: s.d.PartSize, Count: int(ceilDiv(s.d.DeclaredSize, s.d.PartSize))}
}

// Expired reports whether the session's lifetime is over at now.
func (s *UploadSession) Expired(now time.Time) bool { return !now.Before(s.d.ExpiresAt) }

// AccessibleBy reports whether p may continue or abort the session: it is
// in p's org, and p created it or is an admin of that org. Anyone else
// must be told that no such upload exists.
func (s *UploadSession) AccessibleBy(p Principal) bool {
	return s.d.Path.BelongsTo(p.OrgID) && (p.UserID == s.d.CreatedBy || p.Role == RoleAdmin)
}

// CheckOpen returns the error a client sees for a session it may no
// longer use at now: expired (ErrNotFound, upload_expired) or being
// completed or aborted by another request whose claim still holds
// (ErrExists, upload_closing). A session whose claim lapsed (the request
// holding it died with its process) is open again: a retry or another
// replica takes it over.
func (s *UploadSession) CheckOpen(now time.Time) error {
	if s.Expired(now) {
		return Errorf(ErrNotFound, "upload_expired", "The upload expired; start a new one.")
	}
	if s.claimHeld(now) {
		return Errorf(ErrExists, "upload_closing", "The upload is being completed or aborted by another request.")
	}
	return nil
}

// claimHeld reports whether a request completing or aborting the session
// still holds its claim at now.
func (s *UploadSession) claimHeld(now time.Time) bool {
	return s.d.State != SessionActive && now.Before(s.d.ClaimedUntil)
}

// BeginComplete moves an open session (see CheckOpen) to completing, under
// a claim that lapses claim after now unless renewed (RenewClaim).
func (s *UploadSession) BeginComplete(now time.Time, claim time.Duration) error {
	if err := s.CheckOpen(now); err != nil {
		return err
	}
	s.claim(SessionCompleting, now, claim)
	return nil
}

// RenewClaim extends the claim of the request completing or aborting the
// session to claim after now. A session that is active again is not
// claimed: ErrExists (upload_closing) would be wrong, so it is a no-op.
func (s *UploadSession) RenewClaim(now time.Time, claim time.Duration) {
	if s.d.State != SessionActive {
		s.d.ClaimedUntil = now.UTC().Add(claim)
	}
}

// ResumeUpload returns a completing session to active, after a complete
// that failed before anything was assembled (the client may fix its part
// list and try again).
func (s *UploadSession) ResumeUpload(now time.Time) {
	if s.d.State == SessionCompleting {
		s.set(SessionActive, now)
		s.d.ClaimedUntil = time.Time{}
	}
}

// BeginAbort moves the session to aborting, under a claim like
// BeginComplete's. A session that another request is completing under a
// claim that holds is ErrExists (upload_closing); aborting an aborting
// session again is allowed, so an abort that failed halfway can be retried,
// and so is aborting a complete whose claim lapsed.
func (s *UploadSession) BeginAbort(now time.Time, claim time.Duration) error {
	if s.d.State == SessionCompleting && s.claimHeld(now) {
		return Errorf(ErrExists, "upload_closing", "The upload is being completed by another request.")
	}
	s.claim(SessionAborting, now, claim)
	return nil
}

// Abandoned reports whether the clean-up may take the session over at now:
// an active session that expired, or one being completed or aborted whose
// claim lapsed (the request stopped with its process). A session that a
// clean-up run claimed is not abandoned until that claim lapses, so
// concurrent runs take each session once.
func (s *UploadSession) Abandoned(now time.Time) bool {
	if s.d.State == SessionActive {
		return s.Expired(now)
	}
	return !s.claimHeld(now)
}

// BeginCleanup moves an abandoned session (see Abandoned) to aborting under
// a claim, for the clean-up of stale sessions. Any other session is
// ErrExists (upload_in_use).
func (s *UploadSession) BeginCleanup(now time.Time, claim time.Duration) error {
	if !s.Abandoned(now) {
		return Errorf(ErrExists, "upload_in_use", "The upload is still in use.")
	}
	s.claim(SessionAborting, now, claim)
	return nil
}

func (s *UploadSession) claim(st SessionState, now time.Time, claim time.Duration) {
	s.set(st, now)
	s.d.ClaimedUntil = now.UTC().Add(claim)
}

func (s *UploadSession) set(st SessionState, now time.Time) {
	s.d.State, s.d.UpdatedAt = st, now.UTC()
}
