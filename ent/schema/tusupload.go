package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TusUpload holds the schema of tus_uploads: the state of one TUS upload
// (offset, segments, lease), keyed by the id of its upload session, so
// that any replica continues it. A row outlives its session until it
// expires, so that a HEAD of a completed upload still answers.
type TusUpload struct {
	ent.Schema
}

// Annotations pins the table name.
func (TusUpload) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "tus_uploads"}}
}

// Fields of a TUS upload; times are stored in UTC.
func (TusUpload) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().Immutable().Comment("the upload session's id"),
		field.String("org_id").NotEmpty().Immutable(),
		field.String("file_path").NotEmpty().Immutable(),
		field.String("created_by").Immutable(),
		field.Int64("length").Immutable(),
		field.Int64("part_size").Immutable(),
		field.Int64("offset"),
		field.JSON("segments", []int64{}).Comment("sizes of the segment blobs past the last full part"),
		field.String("metadata").Default("").Immutable().Comment("the Upload-Metadata header as sent"),
		field.Bool("completed").Default(false),
		field.String("lock_owner").Default(""),
		field.Time("lock_until").Optional().Nillable(),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
		field.Time("expires_at").Immutable(),
		field.Int64("version").Default(1).Comment("optimistic-concurrency counter"),
	}
}

// Indexes of tus_uploads: by expiry, for the clean-up.
func (TusUpload) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at").StorageKey("tus_uploads_expires_at")}
}
