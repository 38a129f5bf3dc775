package application

import (
	"context"
	"crypto/ed25519"

	"storagegw/domain"
)

// CheckpointView is an org's latest checkpoint, with the public key it
// verifies with (when that key is configured).
type CheckpointView struct {
	domain.SignedCheckpoint
	PublicKey ed25519.PublicKey
}

// AuditCheckpoint reads the latest signed checkpoint of the caller's org,
// for pinning outside the database. It is audited like an audit query.
type AuditCheckpoint struct {
	*deps
	*chainDeps
}

// Handle returns the latest checkpoint and audits the read (AUDIT_QUERY,
// metadata.checkpoint=true).
func (a *AuditCheckpoint) Handle(ctx context.Context, c Caller) (CheckpointView, error) {
	e := entry{action: domain.ActionAuditQuery, metadata: map[string]any{"checkpoint": true}}
	v, err := a.run(ctx, c, &e)
	if err := a.audit.finish(ctx, c, e, err, true); err != nil {
		return CheckpointView{}, err
	}
	return v, nil
}

func (a *AuditCheckpoint) run(ctx context.Context, c Caller, e *entry) (CheckpointView, error) {
	if err := c.Principal.Authorize(domain.PermReadAudit); err != nil {
		return CheckpointView{}, err
	}
	if err := a.available(); err != nil {
		return CheckpointView{}, err
	}
	cp, err := a.chain.LatestCheckpoint(ctx, c.Principal.OrgID)
	if err != nil {
		return CheckpointView{}, err
	}
	e.metadata["seq"] = cp.Seq
	v := CheckpointView{SignedCheckpoint: cp}
	for _, k := range a.chainDeps.opts.VerifyKeys {
		if domain.KeyID(k) == cp.KeyID {
			v.PublicKey = k
		}
	}
	return v, nil
}
