package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// FileRecord holds the schema of file_records: one row per stored path.
type FileRecord struct {
	ent.Schema
}

// Annotations pins the table name.
func (FileRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "file_records"}}
}

// Fields of a file record. The id (a uuid) and every time are set by the
// application; times are stored in UTC.
func (FileRecord) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().Immutable(),
		field.String("org_id").NotEmpty().Immutable(),
		field.String("system").NotEmpty().Immutable(),
		field.String("object_type").NotEmpty().Immutable(),
		field.String("object_id").NotEmpty().Immutable(),
		// Paths sort and compare bytewise on every database (List's order,
		// prefix and After): PostgreSQL gets the "C" collation, SQLite's
		// default BINARY collation already is.
		field.String("file_path").NotEmpty().Immutable().Unique().
			Annotations(entsql.Annotation{Collation: "C"}),
		field.String("original_filename").Default(""),
		field.Enum("state").Values("pending", "active", "purged"),
		field.String("blob_key").Default(""),
		field.String("content_type").Default(""),
		field.Int64("size_bytes").Default(0),
		field.String("sha256").Default(""),
		field.String("uploaded_by"),
		field.Time("created_at"),
		field.Time("updated_at"),
		field.Bool("deleted").Default(false),
		field.Time("deleted_at").Optional().Nillable(),
		field.String("deleted_by").Default(""),
		field.String("pending_upload_id").Default(""),
		field.Time("pending_since").Optional().Nillable(),
		field.Int64("version").Default(1).Comment("optimistic-concurrency counter"),
		// Last, so that SQLite adds the column instead of rebuilding the table.
		field.Time("pending_until").Optional().Nillable().
			Comment("the reservation's lease: it lapses then unless the upload renews it"),
		field.Int64("pending_bytes").Default(0).
			Comment("the size the reserving upload declared, claimed against the org's quota while its lease holds"),
	}
}

// Indexes of file_records (SPEC §2); file_path's unique index comes with
// the field.
func (FileRecord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id").StorageKey("file_records_org_id"),
		index.Fields("system").StorageKey("file_records_system"),
		index.Fields("object_type").StorageKey("file_records_object_type"),
		index.Fields("object_id").StorageKey("file_records_object_id"),
		index.Fields("uploaded_by").StorageKey("file_records_uploaded_by"),
		index.Fields("deleted").StorageKey("file_records_deleted"),
		index.Fields("created_at").StorageKey("file_records_created_at"),
		index.Fields("pending_until").StorageKey("file_records_pending_until"),
	}
}
