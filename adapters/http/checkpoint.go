package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"storagegw/domain"
)

// checkpointJSON is a signed checkpoint of an org's audit chain, as the
// checkpoint route answers it and `storagegw audit verify --checkpoint`
// reads it back.
type checkpointJSON struct {
	OrgID     string `json:"org_id"`
	Seq       int64  `json:"seq"`
	HeadHash  string `json:"head_hash"`
	Time      string `json:"time"`
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
	PublicKey string `json:"public_key,omitempty"`
}

// auditCheckpoint is GET /api/storage/audit-logs/checkpoint: the caller's
// org's latest signed checkpoint, for pinning outside the database.
func (s *Server) auditCheckpoint(c *gin.Context) {
	v, err := s.app.AuditCheckpoint.Handle(c.Request.Context(), caller(c))
	if err != nil {
		writeError(c, err)
		return
	}
	out := toCheckpointJSON(v.SignedCheckpoint)
	if v.PublicKey != nil {
		out.PublicKey = base64.StdEncoding.EncodeToString(v.PublicKey)
	}
	c.JSON(http.StatusOK, out)
}

func toCheckpointJSON(cp domain.SignedCheckpoint) checkpointJSON {
	return checkpointJSON{OrgID: cp.OrgID, Seq: cp.Seq, HeadHash: cp.HeadHash, Time: timeJSON(cp.Time),
		Algorithm: "Ed25519", KeyID: cp.KeyID, Signature: base64.StdEncoding.EncodeToString(cp.Signature)}
}

// ParseCheckpoint reads a checkpoint as the checkpoint route answered it.
// Anything else is domain.ErrInvalid.
func ParseCheckpoint(b []byte) (domain.SignedCheckpoint, error) {
	var j checkpointJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&j); err != nil {
		return domain.SignedCheckpoint{}, domain.Wrap(domain.ErrInvalid, "invalid_checkpoint", "The checkpoint is not JSON.", err)
	}
	t, err := time.Parse(time.RFC3339Nano, j.Time)
	if err != nil {
		return domain.SignedCheckpoint{}, domain.Wrap(domain.ErrInvalid, "invalid_checkpoint", "The checkpoint's time is not RFC 3339.", err)
	}
	sig, err := base64.StdEncoding.DecodeString(j.Signature)
	if err != nil || j.OrgID == "" || j.Seq < 1 || j.Algorithm != "Ed25519" {
		return domain.SignedCheckpoint{}, domain.Errorf(domain.ErrInvalid, "invalid_checkpoint",
			"The checkpoint needs org_id, a positive seq, algorithm Ed25519 and a base64 signature.")
	}
	return domain.SignedCheckpoint{Checkpoint: domain.Checkpoint{OrgID: j.OrgID, Seq: j.Seq, HeadHash: j.HeadHash, Time: t.UTC()},
		KeyID: j.KeyID, Signature: sig}, nil
}

// exportJSON is one line of `storagegw audit export`: a sealed event with
// its place in its org's chain.
type exportJSON struct {
	OrgID    string         `json:"org_id"`
	Seq      int64          `json:"seq"`
	PrevHash string         `json:"prev_hash"`
	Hash     string         `json:"hash"`
	Event    auditEventJSON `json:"event"`
}

// ExportLine encodes a sealed event and its link as one JSON line (with
// its newline). The event is as GET /api/storage/audit-logs shows it; its
// timestamp keeps the microseconds the hash covers.
func ExportLine(l domain.ChainLink, e *domain.AuditEvent) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(exportJSON{OrgID: l.OrgID, Seq: l.Seq, PrevHash: l.PrevHash, Hash: l.Hash, Event: auditJSON(e)})
	return b.Bytes(), err
}
