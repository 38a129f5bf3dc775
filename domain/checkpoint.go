package domain

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Checkpoint states that an org's chain had head hash HeadHash at seq Seq
// at Time. Signed, and pinned outside the database, it proves later that
// the log still holds every event up to Seq unchanged.
type Checkpoint struct {
	OrgID    string
	Seq      int64
	HeadHash string
	Time     time.Time
}

// SignedBytes is what a checkpoint's signature covers: the tag
// "storagegw-audit-checkpoint-v1", org id, seq (decimal), head hash and
// time (Unix microseconds in UTC, decimal), each written as its length in
// bytes (4 bytes, big endian) followed by its bytes.
func (c Checkpoint) SignedBytes() []byte {
	return lengthPrefixed(checkpointTag, c.OrgID, strconv.FormatInt(c.Seq, 10), c.HeadHash,
		strconv.FormatInt(c.Time.UTC().UnixMicro(), 10))
}

// SignedCheckpoint is a checkpoint with its Ed25519 signature and the id
// of the key that made it (KeyID).
type SignedCheckpoint struct {
	Checkpoint
	KeyID     string
	Signature []byte
}

// KeyID names a public key: the first 16 hex digits of the SHA-256 of its
// 32 bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignCheckpoint signs c with key.
func SignCheckpoint(c Checkpoint, key ed25519.PrivateKey) SignedCheckpoint {
	c.Time = c.Time.UTC().Truncate(time.Microsecond)
	pub := key.Public().(ed25519.PublicKey)
	return SignedCheckpoint{Checkpoint: c, KeyID: KeyID(pub), Signature: ed25519.Sign(key, c.SignedBytes())}
}

// Verify checks the signature with the key of s.KeyID among keys. An
// unknown key or a signature that does not verify is ErrInvalid.
func (s SignedCheckpoint) Verify(keys []ed25519.PublicKey) error {
	for _, k := range keys {
		if KeyID(k) != s.KeyID {
			continue
		}
		if ed25519.Verify(k, s.SignedBytes(), s.Signature) {
			return nil
		}
		return Errorf(ErrInvalid, "bad_checkpoint_signature", "The signature of checkpoint %s/%d does not verify with key %s.",
			s.OrgID, s.Seq, s.KeyID)
	}
	return Errorf(ErrInvalid, "unknown_checkpoint_key", "Checkpoint %s/%d is signed by key %s, which is not configured.",
		s.OrgID, s.Seq, s.KeyID)
}
