package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strings"
	"time"
)

// MaxIdempotencyKeyBytes bounds an Idempotency-Key (a UUID is 36).
const MaxIdempotencyKeyBytes = 255

// The codes of idempotency refusals.
const (
	CodeInvalidIdempotencyKey    = "invalid_idempotency_key"
	CodeIdempotencyKeyReused     = "idempotency_key_reused"
	CodeIdempotencyKeyInProgress = "idempotency_key_in_progress"
)

// ParseIdempotencyKey checks a client's Idempotency-Key: 1 to
// MaxIdempotencyKeyBytes characters of [A-Za-z0-9._:~+/=-], bare or as the
// IETF draft's structured-field string (in double quotes, which are not
// part of the key). Anything else is ErrInvalid (invalid_idempotency_key).
func ParseIdempotencyKey(raw string) (string, error) {
	k := raw
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	ok := k != "" && len(k) <= MaxIdempotencyKeyBytes
	for i := 0; ok && i < len(k); i++ {
		c := k[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._:~+/=-", c) >= 0
	}
	if !ok {
		return "", Errorf(ErrInvalid, CodeInvalidIdempotencyKey,
			"The Idempotency-Key header must be 1 to %d characters of A-Z, a-z, 0-9 and . _ : ~ + / = - (a new UUID per operation is a good key).",
			MaxIdempotencyKeyBytes)
	}
	return k, nil
}

// IdempotencyScope names one key: keys of different orgs or users never
// meet.
type IdempotencyScope struct {
	OrgID, UserID, Key string
}

// IdempotencyState is where a key's first request is.
type IdempotencyState string

// A key is in progress while its first request runs (a lease its runner
// renews), applied once the change that request made committed (in the
// change's own transaction, so that no crash falls between the two), and
// completed once that request's answer is stored.
const (
	IdempotencyInProgress IdempotencyState = "in_progress"
	IdempotencyApplied    IdempotencyState = "applied"
	IdempotencyCompleted  IdempotencyState = "completed"
)

// CodeIdempotencyKeyAnswerLost is the refusal of a retry whose first
// request changed something but stopped (a crash) before its answer was
// stored: it must not run again, and its answer cannot be replayed.
const CodeIdempotencyKeyAnswerLost = "idempotency_key_answer_lost"

// answerLostMessage says what a client refused with
// idempotency_key_answer_lost can do. Since answers are stored with their
// change, only keys an earlier version of the service left applied get
// it (docs/DESIGN.md, "Idempotency keys"), and they expire within the
// key TTL.
const answerLostMessage = "The first request with this Idempotency-Key was carried out, but its answer was not kept " +
	"(it ran on an earlier version of the service); it is not run again. Read the current state instead " +
	"(GET /api/storage/metadata/{file_path}, or HEAD the TUS upload); to run the request anew, send it with a new " +
	"Idempotency-Key, or with this one once it expires (24 hours after its first use by default)."

// IdempotentAnswer is the stored answer of a key's first request: what a
// retry gets back. The inbound adapter decides what it holds (for HTTP:
// the status, the headers that matter and the body).
type IdempotentAnswer struct {
	Status int
	Header map[string][]string
	Body   []byte
}

// IdempotencyOutcome is what the first request did, for the audit event
// of a replay: the file path it concerned and, for a refusal, its error
// code (empty on success).
type IdempotencyOutcome struct {
	FilePath  string
	ErrorCode string
}

// IdempotencyRecord is one Idempotency-Key: claimed by a first request,
// then holding that request's fingerprint and answer until it expires.
// Its fields change only through its methods.
type IdempotencyRecord struct {
	d IdempotencyRecordData
}

// IdempotencyRecordData is a record's state as adapters persist it. Build
// a record from it only with RehydrateIdempotencyRecord.
type IdempotencyRecordData struct {
	Scope       IdempotencyScope
	Action      Action // the audit action of the route the key was first used on
	State       IdempotencyState
	Owner       string // the claim holding the lease (a random token per claim)
	RequestID   string // the first request's id
	Fingerprint string // empty while in progress
	Answer      IdempotentAnswer
	Outcome     IdempotencyOutcome
	CreatedAt   time.Time
	LeaseUntil  time.Time // while in progress: the claim lapses after it
	ExpiresAt   time.Time
	Version     int64
}

// IdempotencyTiming is how long keys live and how long a claim's lease
// runs between renewals.
type IdempotencyTiming struct {
	TTL, Lease time.Duration
}

// NewIdempotencyClaim is a fresh claim of scope by the request requestID,
// owned by owner, at now.
func NewIdempotencyClaim(scope IdempotencyScope, action Action, requestID, owner string, now time.Time, t IdempotencyTiming) (*IdempotencyRecord, error) {
	r := &IdempotencyRecord{d: IdempotencyRecordData{Scope: scope}}
	r.claim(action, requestID, owner, now, t)
	if err := r.d.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// RehydrateIdempotencyRecord rebuilds a stored record.
func RehydrateIdempotencyRecord(d IdempotencyRecordData) (*IdempotencyRecord, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	return &IdempotencyRecord{d: d}, nil
}

func (d IdempotencyRecordData) validate() error {
	if _, err := ParseIdempotencyKey(d.Scope.Key); err != nil {
		return err
	}
	switch {
	case d.Scope.OrgID == "" || d.Scope.UserID == "":
		return Errorf(ErrInvalid, "invalid_idempotency_record", "An idempotency key needs an org and a user.")
	case d.State != IdempotencyInProgress && d.State != IdempotencyApplied && d.State != IdempotencyCompleted:
		return Errorf(ErrInvalid, "invalid_idempotency_record", "Unknown idempotency key state %q.", d.State)
	case d.State == IdempotencyCompleted && (d.Fingerprint == "" || d.Answer.Status == 0):
		return Errorf(ErrInvalid, "invalid_idempotency_record", "A completed idempotency key needs a fingerprint and an answer.")
	case d.Owner == "" || d.Action == "" || !d.ExpiresAt.After(d.CreatedAt):
		return Errorf(ErrInvalid, "invalid_idempotency_record", "An idempotency key needs an owner, an action and an expiry after its creation.")
	}
	return nil
}

func (r *IdempotencyRecord) claim(action Action, requestID, owner string, now time.Time, t IdempotencyTiming) {
	r.d = IdempotencyRecordData{Scope: r.d.Scope, Action: action, State: IdempotencyInProgress, Owner: owner,
		RequestID: requestID, CreatedAt: now, LeaseUntil: now.Add(t.Lease), ExpiresAt: now.Add(t.TTL), Version: r.d.Version}
}

// Data returns the record's state for persistence.
func (r *IdempotencyRecord) Data() IdempotencyRecordData { return r.d }

// Scope is the key the record is of.
func (r *IdempotencyRecord) Scope() IdempotencyScope { return r.d.Scope }

// Version is the optimistic-concurrency counter of the stored record.
func (r *IdempotencyRecord) Version() int64 { return r.d.Version }

// RequestID is the id of the key's first request.
func (r *IdempotencyRecord) RequestID() string { return r.d.RequestID }

// Answer is the stored answer (zero while in progress).
func (r *IdempotencyRecord) Answer() IdempotentAnswer { return r.d.Answer }

// Outcome is what the first request did (zero while in progress).
func (r *IdempotencyRecord) Outcome() IdempotencyOutcome { return r.d.Outcome }

// Completed reports whether the first request's answer is stored.
func (r *IdempotencyRecord) Completed() bool { return r.d.State == IdempotencyCompleted }

// Expired reports whether the key has outlived its TTL at now: it then
// means nothing any more and a request with it is a first request again.
func (r *IdempotencyRecord) Expired(now time.Time) bool { return !now.Before(r.d.ExpiresAt) }

// Lapsed reports whether the key is in progress with a lease that ran out
// at now: its first request stopped (a crash, a lost replica) without an
// answer, so the key may be claimed again.
func (r *IdempotencyRecord) Lapsed(now time.Time) bool {
	return r.d.State == IdempotencyInProgress && !now.Before(r.d.LeaseUntil)
}

// Reclaim makes the record a fresh claim by requestID (a new first
// request), allowed only once it expired or its lease lapsed before its
// change committed; otherwise ErrExists: idempotency_key_in_progress
// while its first request runs, idempotency_key_answer_lost once a first
// request that applied its change stopped before storing its answer, or
// a plain refusal for a completed key (which Match judges instead).
func (r *IdempotencyRecord) Reclaim(action Action, requestID, owner string, now time.Time, t IdempotencyTiming) error {
	if !r.Expired(now) && !r.Lapsed(now) {
		switch {
		case r.Completed():
			return Errorf(ErrExists, "idempotency_key_completed", "This key has an answer; it is replayed, not run again.")
		case r.d.State == IdempotencyApplied && !now.Before(r.d.LeaseUntil):
			return Errorf(ErrExists, CodeIdempotencyKeyAnswerLost,
				answerLostMessage)
		}
		return InProgressError()
	}
	r.claim(action, requestID, owner, now, t)
	return nil
}

// InProgressError is the refusal of a request whose key's first request
// is still running.
func InProgressError() error {
	return Errorf(ErrExists, CodeIdempotencyKeyInProgress,
		"A request with this Idempotency-Key is still being processed; retry after it finished.")
}

// Apply records that owner's request committed its change: the key is
// then never claimed again before it expires (Reclaim), whatever becomes
// of the request. The caller saves it in the change's transaction. A
// claim owner no longer holds is ErrExists (idempotency_claim_lost).
//
// A record owner already answered (CompleteInChange, in an earlier change of the
// same request) goes back to applied, its answer dropped: the stored
// answer is always that of the request's last change, and a change whose
// answer is not known in its transaction leaves the key applied.
func (r *IdempotencyRecord) Apply(owner string) error {
	if err := r.holdsOrAnswered(owner); err != nil {
		return err
	}
	r.d.State, r.d.Fingerprint, r.d.Answer, r.d.Outcome = IdempotencyApplied, "", IdempotentAnswer{}, IdempotencyOutcome{}
	return nil
}

// CompleteInChange records, in the transaction of the change owner's request
// commits, that change and the answer the request gets for it: the key
// is then completed at once, so that no crash between the commit and the
// answer can keep a retry from the first answer. Like Complete, it needs
// a fingerprint and a status; a record owner already answered (an earlier
// change of the same request) takes the newer answer.
func (r *IdempotencyRecord) CompleteInChange(owner, fingerprint string, answer IdempotentAnswer, outcome IdempotencyOutcome) error {
	if err := r.holdsOrAnswered(owner); err != nil {
		return err
	}
	if fingerprint == "" || answer.Status == 0 {
		return Errorf(ErrInvalid, "invalid_idempotent_answer", "An answer needs the request's fingerprint and a status.")
	}
	r.d.State, r.d.Fingerprint, r.d.Answer, r.d.Outcome = IdempotencyCompleted, fingerprint, answer, outcome
	return nil
}

// AnsweredBy reports whether owner's request stored its answer (Complete
// or CompleteInChange): nothing is left for that request to store.
func (r *IdempotencyRecord) AnsweredBy(owner string) bool {
	return r.d.State == IdempotencyCompleted && r.d.Owner == owner
}

func (r *IdempotencyRecord) holdsOrAnswered(owner string) error {
	if r.AnsweredBy(owner) {
		return nil
	}
	return r.holds(owner)
}

// Applied reports whether the first request's change committed and its
// answer is not stored yet.
func (r *IdempotencyRecord) Applied() bool { return r.d.State == IdempotencyApplied }

// Renew extends owner's lease to now + lease. A claim owner no longer
// holds (completed, or taken over after it lapsed) is ErrExists
// (idempotency_claim_lost).
func (r *IdempotencyRecord) Renew(owner string, now time.Time, lease time.Duration) error {
	if err := r.holds(owner); err != nil {
		return err
	}
	r.d.LeaseUntil = now.Add(lease)
	return nil
}

// Complete stores the first request's fingerprint, answer and outcome;
// only owner's claim, in progress or applied, may complete, with a fingerprint and a
// status.
func (r *IdempotencyRecord) Complete(owner, fingerprint string, answer IdempotentAnswer, outcome IdempotencyOutcome) error {
	if err := r.holds(owner); err != nil {
		return err
	}
	if fingerprint == "" || answer.Status == 0 {
		return Errorf(ErrInvalid, "invalid_idempotent_answer", "An answer needs the request's fingerprint and a status.")
	}
	r.d.State, r.d.Fingerprint, r.d.Answer, r.d.Outcome = IdempotencyCompleted, fingerprint, answer, outcome
	return nil
}

// Held reports whether owner still holds the record's claim.
func (r *IdempotencyRecord) Held(owner string) bool { return r.holds(owner) == nil }

func (r *IdempotencyRecord) holds(owner string) error {
	if r.d.State != IdempotencyInProgress && r.d.State != IdempotencyApplied || r.d.Owner != owner {
		return Errorf(ErrExists, "idempotency_claim_lost", "The idempotency key was taken over by another request.")
	}
	return nil
}

// Match judges a retry of a completed key: the same request (the same
// fingerprint, which covers the route) may have the first answer; any
// other request is ErrInvalid (idempotency_key_reused, 422).
func (r *IdempotencyRecord) Match(fingerprint string) error {
	if !r.Completed() || fingerprint == "" || fingerprint != r.d.Fingerprint {
		return Errorf(ErrInvalid, CodeIdempotencyKeyReused,
			"This Idempotency-Key was used for a different request (another route, other fields or other content); use a new key for a new request.")
	}
	return nil
}

// RequestFingerprint builds the fingerprint of a request: a SHA-256 over
// its parts, each written with its name and length so that no two
// different sequences of parts hash alike. The inbound adapter chooses
// the parts (DESIGN: method, route, org, user, canonical query, the
// headers that shape the request, and a digest of the body).
type RequestFingerprint struct {
	h hash.Hash
}

// NewRequestFingerprint starts a fingerprint (version 1 of the format).
func NewRequestFingerprint() *RequestFingerprint {
	f := &RequestFingerprint{h: sha256.New()}
	f.Add("format", "storagegw-idempotency-v1")
	return f
}

// Add appends one named part.
func (f *RequestFingerprint) Add(name, value string) {
	var n [8]byte
	for _, s := range []string{name, value} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		f.h.Write(n[:])
		f.h.Write([]byte(s))
	}
}

// Sum is the fingerprint, in hex.
func (f *RequestFingerprint) Sum() string { return hex.EncodeToString(f.h.Sum(nil)) }
