package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// GenesisHash is the previous hash of an org's first event: 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// The domain tags that open the hashed and the signed encodings, so a
// hash or a signature of one can never pass for the other.
const (
	chainTag      = "storagegw-audit-chain-v1"
	checkpointTag = "storagegw-audit-checkpoint-v1"
)

// ChainLink places one audit event in its org's hash chain: the event's
// sequence number in the org (1, 2, …), the hash of the event before it
// (GenesisHash for seq 1) and its own hash (ChainHash). Hashes are 64
// lowercase hex digits.
type ChainLink struct {
	EventID  string
	OrgID    string
	Seq      int64
	PrevHash string
	Hash     string
	SealedAt time.Time
}

// LinkEvent returns the link of e at seq after prev.
func LinkEvent(e AuditEventData, seq int64, prev string, sealedAt time.Time) (ChainLink, error) {
	h, err := ChainHash(e, seq, prev)
	if err != nil {
		return ChainLink{}, err
	}
	return ChainLink{EventID: e.ID, OrgID: e.Actor.OrgID, Seq: seq, PrevHash: prev, Hash: h, SealedAt: sealedAt}, nil
}

// ChainHash is the hash of an event at seq in its org's chain after prev:
// SHA-256 over the tag "storagegw-audit-chain-v1" and then, in this order,
// org id, seq (decimal), prev, event id, timestamp (Unix microseconds in
// UTC, decimal), user id, user role, IP address, user agent, action, file
// path, related object type, related object id, metadata (CanonicalJSON,
// "null" when absent), success ("true" or "false") and error message; each
// of these 17 strings is written as its length in bytes (4 bytes, big
// endian) followed by its UTF-8 bytes. The result is lowercase hex.
func ChainHash(e AuditEventData, seq int64, prev string) (string, error) {
	meta, err := CanonicalJSON(e.Metadata)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(lengthPrefixed(chainTag, e.Actor.OrgID, strconv.FormatInt(seq, 10), prev, e.ID,
		strconv.FormatInt(e.Timestamp.UTC().UnixMicro(), 10), e.Actor.UserID, string(e.Actor.Role), e.Actor.IP,
		e.Actor.UserAgent, string(e.Action), e.FilePath, e.RelatedObjectType, e.RelatedObjectID,
		string(meta), strconv.FormatBool(e.Success), e.ErrorMessage))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CanonicalJSON encodes metadata the one way the chain hashes it: objects
// with their keys sorted by their UTF-8 bytes, no white space, strings
// escaped as Go's encoding/json does without HTML escaping (`"`, `\` and
// control characters; U+2028 and U+2029 as \u2028 and \u2029), numbers as
// the decimal text they were stored as (decode with json.Number), and
// "null" for nil metadata.
func CanonicalJSON(v any) ([]byte, error) {
	if m, ok := v.(map[string]any); ok && m == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, Errorf(ErrInvalid, "invalid_audit_metadata", "The audit metadata cannot be encoded: %v", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func lengthPrefixed(fields ...string) []byte {
	n := 0
	for _, f := range fields {
		n += 4 + len(f)
	}
	out := make([]byte, 0, n)
	for _, f := range fields {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}
