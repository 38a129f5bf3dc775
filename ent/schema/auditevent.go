package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEvent holds the schema of storage_audit_logs, the append-only audit
// trail. Rows are only ever inserted; the migrations install triggers that
// reject UPDATE and DELETE (and TRUNCATE on PostgreSQL).
type AuditEvent struct {
	ent.Schema
}

// Annotations pins the table name.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "storage_audit_logs"}}
}

// Fields of an audit event. The id (a uuid) and the timestamp are set by the
// application; the timestamp is stored in UTC.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().Immutable(),
		field.Time("timestamp").Immutable(),
		field.String("org_id").Immutable(),
		field.String("user_id").Immutable(),
		field.String("user_role").Default("").Immutable(),
		field.String("ip_address").Default("").Immutable(),
		field.String("user_agent").Default("").Immutable(),
		field.String("action_type").Immutable(),
		field.String("file_path").Default("").Immutable(),
		field.String("related_object_type").Default("").Immutable(),
		field.String("related_object_id").Default("").Immutable(),
		field.JSON("metadata", map[string]any{}).Optional().Immutable(),
		field.Bool("success").Immutable(),
		field.String("error_message").Default("").Immutable(),
	}
}

// Indexes serve the audit query: an org's events newest first, keyset by
// (timestamp, id), narrowed by the common filters.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "timestamp", "id").StorageKey("storage_audit_logs_org_time").
			Annotations(entsql.DescColumns("timestamp", "id")),
		index.Fields("org_id", "user_id", "timestamp").StorageKey("storage_audit_logs_org_user"),
		index.Fields("org_id", "action_type", "timestamp").StorageKey("storage_audit_logs_org_action"),
		index.Fields("org_id", "file_path", "timestamp").StorageKey("storage_audit_logs_org_path"),
		index.Fields("org_id", "related_object_type", "related_object_id", "timestamp").
			StorageKey("storage_audit_logs_org_related"),
		// The sealer's scan for recent events not yet in the chain.
		index.Fields("timestamp").StorageKey("storage_audit_logs_time"),
	}
}
