package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// StorageUsage holds the schema of storage_usage: the bytes and files of
// one org's records that hold a blob, per system and object type, plus
// one total row per org (system and object_type empty). The rows move in
// the transaction of every record change that changes what it counts, so
// they stay exact; the total row is what quota checks lock.
type StorageUsage struct {
	ent.Schema
}

// Annotations pins the table name.
func (StorageUsage) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "storage_usage"}}
}

// Fields of a usage row.
func (StorageUsage) Fields() []ent.Field {
	return []ent.Field{
		field.String("org_id").NotEmpty().Immutable(),
		field.String("system").Immutable().Comment("empty on the org's total row"),
		field.String("object_type").Immutable().Comment("empty on the org's total row"),
		field.Int64("bytes").Default(0),
		field.Int64("files").Default(0),
	}
}

// Indexes of storage_usage: one row per org, system and object type.
func (StorageUsage) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "system", "object_type").Unique().StorageKey("storage_usage_org_system_type"),
	}
}
