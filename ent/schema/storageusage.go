package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// StorageUsage holds the schema of storage_usage: the bytes and files of
// one org's records that hold a blob, per system and object type, kept as
// shards: any number of rows per org, system and object type (told apart
// by shard), whose sum is the usage. The rows move in the transaction of
// every record change that changes what it counts, so they stay exact; a
// write moves one shard that no other transaction holds, so concurrent
// writes of one org do not queue on one row (adapters/postgres/usage.go).
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
		field.String("system").Immutable(),
		field.String("object_type").Immutable(),
		field.Int("shard").Default(0).Immutable().Comment("tells the rows of one org, system and object type apart; the usage is their sum"),
		field.Int64("bytes").Default(0),
		field.Int64("files").Default(0),
	}
}

// Indexes of storage_usage: one row per org, system, object type and shard.
func (StorageUsage) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "system", "object_type", "shard").Unique().StorageKey("storage_usage_org_system_type_shard"),
	}
}
