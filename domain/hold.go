package domain

import (
	"errors"
	"strings"
	"time"
)

// MaxHoldReasonBytes bounds a legal hold's reason.
const MaxHoldReasonBytes = 1024

// HoldScope is what a legal hold covers: one file (a StoragePath), or
// every file of one object, present or uploaded later, named by the
// object's prefix "{system}/{objectType}/{objectId}/" within the org.
// Build one with FileHoldScope or ParseObjectHoldScope.
type HoldScope struct {
	org    string
	key    string // the full key: a file's path, or "{org}/{system}/{type}/{id}/"
	object bool
}

// FileHoldScope is the scope of a hold on the file at p.
func FileHoldScope(p StoragePath) HoldScope {
	return HoldScope{org: p.OrgID(), key: p.String()}
}

// ParseObjectHoldScope parses an object prefix sent by a caller of orgID:
// "system/object_type/object_id/", relative to the org, with a known
// kind, a valid object id and the trailing slash.
func ParseObjectHoldScope(orgID, prefix string) (HoldScope, error) {
	bad := Errorf(ErrInvalid, "invalid_prefix",
		"a hold's prefix names one object: \"system/object_type/object_id/\" relative to your organisation, e.g. \"accounting/invoice/inv-42/\".")
	if err := validateID("org_id", orgID); err != nil {
		return HoldScope{}, err
	}
	segs := strings.Split(prefix, "/")
	if len(segs) != 4 || segs[3] != "" {
		return HoldScope{}, bad
	}
	kind, err := ParseKind(segs[0], segs[1])
	if err != nil {
		return HoldScope{}, err
	}
	if err := validateID("object_id", segs[2]); err != nil {
		return HoldScope{}, err
	}
	return HoldScope{org: orgID, key: orgID + "/" + kind.String() + "/" + segs[2] + "/", object: true}, nil
}

// RehydrateHoldScope rebuilds a scope a repository stored (String and
// IsObject of a valid scope).
func RehydrateHoldScope(orgID, key string, object bool) HoldScope {
	return HoldScope{org: orgID, key: key, object: object}
}

// String is the scope's full key: the file's path, or the object's prefix
// with the org in front.
func (s HoldScope) String() string { return s.key }

// Relative is the scope without the org: what a caller sends and reads.
func (s HoldScope) Relative() string { return strings.TrimPrefix(s.key, s.org+"/") }

// OrgID is the org the scope belongs to.
func (s HoldScope) OrgID() string { return s.org }

// IsObject reports whether the scope is an object prefix (else one file).
func (s HoldScope) IsObject() bool { return s.object }

// IsZero reports whether s is the zero value.
func (s HoldScope) IsZero() bool { return s.key == "" }

// Covers reports whether the scope holds the file at p: the same path, or
// a path under the object's prefix, in the same org.
func (s HoldScope) Covers(p StoragePath) bool {
	if s.IsZero() || !p.BelongsTo(s.org) {
		return false
	}
	if s.object {
		return strings.HasPrefix(p.String(), s.key)
	}
	return p.String() == s.key
}

// LegalHold keeps the files of its scope from being destroyed: while it
// stands, no hard delete and no purge of them, and an overwrite keeps the
// previous content. A soft delete (reversible) stays allowed.
type LegalHold struct {
	d LegalHoldData
}

// LegalHoldData is a hold's state, for building and rehydrating one.
type LegalHoldData struct {
	ID     string
	Scope  HoldScope
	Reason string
	SetBy  string
	SetAt  time.Time
}

// NewLegalHold checks a new hold: a scope, a reason (text, not blank, at
// most MaxHoldReasonBytes), who sets it and when.
func NewLegalHold(d LegalHoldData) (*LegalHold, error) {
	if d.Scope.IsZero() {
		return nil, badPath("A legal hold needs a file_path or a prefix.")
	}
	if err := CheckText("reason", d.Reason); err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.Reason) == "" {
		return nil, Errorf(ErrInvalid, "invalid_text", "reason is empty: a legal hold needs a reason: say why the files must be kept.")
	}
	if len(d.Reason) > MaxHoldReasonBytes {
		return nil, Errorf(ErrInvalid, "invalid_text", "reason is longer than %d bytes: shorten it.", MaxHoldReasonBytes)
	}
	if d.SetBy == "" || d.SetAt.IsZero() {
		// A caller's bug, not the client's input: no domain kind, a 500.
		return nil, errors.New("domain: a legal hold records who set it and when")
	}
	d.SetAt = d.SetAt.UTC()
	return &LegalHold{d: d}, nil
}

// RehydrateLegalHold rebuilds a hold a repository stored.
func RehydrateLegalHold(d LegalHoldData) *LegalHold { return &LegalHold{d: d} }

// Data is a copy of the hold's state.
func (h *LegalHold) Data() LegalHoldData { return h.d }

func (h *LegalHold) ID() string       { return h.d.ID }
func (h *LegalHold) Scope() HoldScope { return h.d.Scope }
func (h *LegalHold) Reason() string   { return h.d.Reason }
func (h *LegalHold) SetBy() string    { return h.d.SetBy }
func (h *LegalHold) SetAt() time.Time { return h.d.SetAt }

// Covers reports whether the hold keeps the file at p.
func (h *LegalHold) Covers(p StoragePath) bool { return h != nil && h.d.Scope.Covers(p) }

// The codes of legal-hold errors.
const (
	// CodeLegalHold refuses a change that would destroy held content (a
	// hard delete, a purge): 409.
	CodeLegalHold = "legal_hold"
	// CodeLegalHoldExists refuses a second hold on the same scope.
	CodeLegalHoldExists = "legal_hold_exists"
	// CodeLegalHoldNotFound answers a clear of a scope no hold stands on.
	CodeLegalHoldNotFound = "legal_hold_not_found"
)

// ObjectHoldScopeOf is the scope of a hold on the object p belongs to.
func ObjectHoldScopeOf(p StoragePath) HoldScope {
	if p.IsZero() {
		return HoldScope{}
	}
	return HoldScope{org: p.OrgID(), key: p.OrgID() + "/" + p.Kind().String() + "/" + p.ObjectID() + "/", object: true}
}

// Kind names the scope's kind as stored and answered: "file" or "object".
func (s HoldScope) Kind() string {
	if s.object {
		return "object"
	}
	return "file"
}

// Refuse is the refusal of a change that would destroy what the hold
// keeps: what is "hard-deleted" or "purged". It is ErrExists
// (CodeLegalHold, 409) and names the hold's scope.
func (h *LegalHold) Refuse(what string) error {
	return Errorf(ErrExists, CodeLegalHold,
		"The file is under a legal hold on %s (%s): it cannot be %s while the hold stands; an admin must clear the hold first.",
		h.d.Scope.Relative(), h.d.Scope.Kind(), what)
}

// ShowLegalHold records on r the hold that covers its path (nil: none),
// for the answer that shows the record; it changes nothing stored.
func (r *FileRecord) ShowLegalHold(h *LegalHold) {
	if h.Covers(r.d.Path) {
		r.hold = h
	} else {
		r.hold = nil
	}
}

// LegalHold is the hold ShowLegalHold recorded, or nil.
func (r *FileRecord) LegalHold() *LegalHold { return r.hold }
