package e2e

import (
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"storagegw/domain"
)

// TestAPIAuditCheckpoint: GET /api/storage/audit-logs/checkpoint answers
// an admin's or auditor's own org's latest checkpoint, signed by the key it
// names, refuses the other roles, and is audited like an audit query.
func TestAPIAuditCheckpoint(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	const route = "/api/storage/audit-logs/checkpoint"
	want(t, "before any seal", a.Get(route, a.Token("org-1", "admin")), http.StatusNotFound, "no_checkpoint")

	a.UploadDoc("org-1", "d1", "a.png", pngOf(10))
	a.UploadDoc("org-2", "d1", "b.png", pngOf(10))
	rep, err := a.Svc.App.SealAudit.Run(t.Context(), true)
	if err != nil || rep.Linked < 3 || rep.Checkpoints != 2 {
		t.Fatalf("seal: got %+v %v, want the events linked and one checkpoint per org", rep, err)
	}

	for _, role := range []string{"admin", "auditor"} {
		for _, org := range []string{"org-1", "org-2"} {
			r := a.Get(route, a.Token(org, role))
			want(t, role+" of "+org, r, http.StatusOK, "")
			var cp struct {
				OrgID     string `json:"org_id"`
				Seq       int64  `json:"seq"`
				HeadHash  string `json:"head_hash"`
				Time      string `json:"time"`
				Algorithm string `json:"algorithm"`
				KeyID     string `json:"key_id"`
				Signature string `json:"signature"`
				PublicKey string `json:"public_key"`
			}
			r.JSON(t, &cp)
			ts, terr := time.Parse(time.RFC3339Nano, cp.Time)
			sig, serr := base64.StdEncoding.DecodeString(cp.Signature)
			pub, perr := base64.StdEncoding.DecodeString(cp.PublicKey)
			if cp.OrgID != org || cp.Seq < 1 || len(cp.HeadHash) != 64 || cp.Algorithm != "Ed25519" ||
				terr != nil || serr != nil || perr != nil || domain.KeyID(pub) != cp.KeyID {
				t.Fatalf("%s of %s: got %+v, want its own org's checkpoint", role, org, cp)
			}
			signed := domain.Checkpoint{OrgID: cp.OrgID, Seq: cp.Seq, HeadHash: cp.HeadHash, Time: ts}.SignedBytes()
			if !ed25519.Verify(pub, signed, sig) {
				t.Errorf("%s of %s: the signature does not verify", role, org)
			}
		}
	}
	for _, role := range []string{"member", "viewer"} {
		want(t, role, a.Get(route, a.Token("org-1", role)), http.StatusForbidden, "forbidden")
	}
	want(t, "no token", a.Get(route, ""), http.StatusUnauthorized, "")

	var reads, denied int
	for _, ev := range a.AuditLog("org-1", "action_type=AUDIT_QUERY") {
		if ev.Metadata["checkpoint"] != true {
			continue
		}
		if ev.Success {
			reads++
		} else {
			denied++
		}
	}
	if reads != 2 || denied != 3 { // admin, auditor; the 404 before the seal, member, viewer
		t.Errorf("AUDIT_QUERY checkpoint events of org-1: %d reads and %d failures, want 2 and 3", reads, denied)
	}
}
