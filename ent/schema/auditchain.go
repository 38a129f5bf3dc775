package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditChainLink holds the schema of storage_audit_chain: the hash chain
// that makes the audit trail tamper-evident. The sealer writes one row per
// audit event once the event is committed and older than every running
// transaction; like the audit table it is append-only (triggers).
type AuditChainLink struct {
	ent.Schema
}

// Annotations pins the table name.
func (AuditChainLink) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "storage_audit_chain"}}
}

// Fields of a link: the event it seals, its place in its org's chain and
// the hashes (64 lowercase hex digits each; see domain.ChainHash).
func (AuditChainLink) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").StorageKey("event_id").NotEmpty().Immutable(),
		field.String("org_id").Immutable(),
		field.Int64("seq").Positive().Immutable(),
		field.String("prev_hash").Immutable(),
		field.String("hash").Immutable(),
		field.Time("sealed_at").Immutable(),
	}
}

// Indexes: one link per place in an org's chain, and the recent links.
func (AuditChainLink) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "seq").Unique().StorageKey("storage_audit_chain_org_seq"),
		// The sealer's look for recently linked orgs owed a checkpoint.
		index.Fields("sealed_at").StorageKey("storage_audit_chain_sealed_at"),
	}
}

// AuditCheckpoint holds the schema of storage_audit_checkpoints: signed
// statements "org's chain had this head hash at this seq at this time",
// append-only (triggers), written by the sealer.
type AuditCheckpoint struct {
	ent.Schema
}

// Annotations pins the table name.
func (AuditCheckpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "storage_audit_checkpoints"}}
}

// Fields of a checkpoint; the signature is Ed25519 over
// domain.Checkpoint.SignedBytes, base64 (standard, padded).
func (AuditCheckpoint) Fields() []ent.Field {
	return []ent.Field{
		field.String("org_id").Immutable(),
		field.Int64("seq").Positive().Immutable(),
		field.String("head_hash").Immutable(),
		field.Time("created_at").Immutable(),
		field.String("key_id").Immutable(),
		field.String("signature").Immutable(),
	}
}

// Indexes: one checkpoint per place in an org's chain.
func (AuditCheckpoint) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "seq").Unique().StorageKey("storage_audit_checkpoints_org_seq"),
	}
}
