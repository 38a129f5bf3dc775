package domain_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"storagegw/domain"
)

func chainEvent() domain.AuditEventData {
	return domain.AuditEventData{
		ID: "0194a6b3-0a11-7c02-8f4e-51d2a9c3e6b4", Timestamp: time.Date(2026, 1, 26, 15, 32, 10, 123456789, time.FixedZone("CET", 3600)),
		Actor:  domain.Actor{UserID: "user-9", Role: domain.RoleViewer, OrgID: "org-1", IP: "203.0.113.9", UserAgent: "ua/1"},
		Action: domain.ActionDelete, FilePath: "org-1/accounting/receipt/r-42/a.jpg", RelatedObjectType: "receipt", RelatedObjectID: "r-42",
		Metadata: map[string]any{"hard": false, "b": json.Number("1.50"), "a": map[string]any{"y": "<&>", "x": []any{json.Number("2")}}},
		Success:  false, ErrorMessage: "forbidden: no",
	}
}

// TestChainHashIsTheDocumentedEncoding re-implements the hash from its
// description (DESIGN.md "Audit trail"), as an auditor would.
func TestChainHashIsTheDocumentedEncoding(t *testing.T) {
	t.Parallel()
	e := chainEvent()
	prev := "ab" + domain.GenesisHash[2:]
	var b []byte
	for _, f := range []string{"storagegw-audit-chain-v1", "org-1", "7", prev, e.ID, "1769437930123456", "user-9", "viewer",
		"203.0.113.9", "ua/1", "DELETE", e.FilePath, "receipt", "r-42", `{"a":{"x":[2],"y":"<&>"},"b":1.50,"hard":false}`,
		"false", "forbidden: no"} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	sum := sha256.Sum256(b)
	got, err := domain.ChainHash(e, 7, prev)
	if err != nil || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("got %s %v, want %x", got, err, sum)
	}

	for name, change := range map[string]func(d *domain.AuditEventData){
		"id": func(d *domain.AuditEventData) { d.ID += "x" }, "timestamp": func(d *domain.AuditEventData) { d.Timestamp = d.Timestamp.Add(time.Microsecond) },
		"user": func(d *domain.AuditEventData) { d.Actor.UserID = "x" }, "role": func(d *domain.AuditEventData) { d.Actor.Role = domain.RoleAdmin },
		"org": func(d *domain.AuditEventData) { d.Actor.OrgID = "org-2" }, "ip": func(d *domain.AuditEventData) { d.Actor.IP = "x" },
		"agent": func(d *domain.AuditEventData) { d.Actor.UserAgent = "x" }, "action": func(d *domain.AuditEventData) { d.Action = domain.ActionView },
		"path": func(d *domain.AuditEventData) { d.FilePath = "x" }, "type": func(d *domain.AuditEventData) { d.RelatedObjectType = "x" },
		"object": func(d *domain.AuditEventData) { d.RelatedObjectID = "x" }, "success": func(d *domain.AuditEventData) { d.Success = true },
		"error":       func(d *domain.AuditEventData) { d.ErrorMessage = "x" },
		"metadata":    func(d *domain.AuditEventData) { d.Metadata = map[string]any{"hard": true} },
		"no metadata": func(d *domain.AuditEventData) { d.Metadata = nil },
		// Moving text from one field to the next must change the hash.
		"shifted": func(d *domain.AuditEventData) { d.RelatedObjectType, d.RelatedObjectID = "receiptr", "-42" },
	} {
		d := chainEvent()
		change(&d)
		if h, _ := domain.ChainHash(d, 7, prev); h == got {
			t.Errorf("%s: changing it keeps the hash", name)
		}
	}
	if h, _ := domain.ChainHash(e, 8, prev); h == got {
		t.Error("seq: changing it keeps the hash")
	}
	if h, _ := domain.ChainHash(e, 7, domain.GenesisHash); h == got {
		t.Error("prev: changing it keeps the hash")
	}
}

func TestCheckpointSignature(t *testing.T) {
	t.Parallel()
	pub, key, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	c := domain.SignCheckpoint(domain.Checkpoint{OrgID: "org-1", Seq: 9, HeadHash: domain.GenesisHash,
		Time: time.Date(2026, 1, 26, 15, 32, 10, 123456789, time.UTC)}, key)
	if c.KeyID != domain.KeyID(pub) || c.Time.Nanosecond() != 123456000 {
		t.Fatalf("got key %s, time %s", c.KeyID, c.Time)
	}
	if err := c.Verify([]ed25519.PublicKey{other, pub}); err != nil {
		t.Errorf("verify with the key among others: %v", err)
	}
	if err := c.Verify([]ed25519.PublicKey{other}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("verify without the key: got %v, want ErrInvalid", err)
	}
	for name, change := range map[string]func(c *domain.SignedCheckpoint){
		"org": func(c *domain.SignedCheckpoint) { c.OrgID = "org-2" }, "seq": func(c *domain.SignedCheckpoint) { c.Seq++ },
		"head": func(c *domain.SignedCheckpoint) { c.HeadHash = "1" + c.HeadHash[1:] },
		"time": func(c *domain.SignedCheckpoint) { c.Time = c.Time.Add(time.Microsecond) },
	} {
		d := c
		change(&d)
		if err := d.Verify([]ed25519.PublicKey{pub}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s changed: got %v, want ErrInvalid", name, err)
		}
	}
}
