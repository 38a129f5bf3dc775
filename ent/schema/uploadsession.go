package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// UploadSession holds the schema of upload_sessions: one row per multipart
// upload in progress, so that any replica can continue it. A row is
// deleted once its upload completed or was aborted.
type UploadSession struct {
	ent.Schema
}

// Annotations pins the table name.
func (UploadSession) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "upload_sessions"}}
}

// Fields of a session. The id (a uuid, the client's "upload_id") and every
// time are set by the application; times are stored in UTC.
func (UploadSession) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().Immutable(),
		field.String("org_id").NotEmpty().Immutable(),
		field.String("file_path").NotEmpty().Immutable(),
		field.String("upload_id").NotEmpty().Immutable().Unique().
			Comment("the path's reservation: file_records.pending_upload_id"),
		field.String("store_upload_id").NotEmpty().Immutable().
			Comment("the object store's id of its multipart upload"),
		field.String("original_filename").Default("").Immutable(),
		field.Int64("declared_size").Immutable(),
		field.Int64("part_size").Immutable(),
		field.String("content_type").Default("").Immutable().Comment("as declared by the client"),
		field.String("created_by").Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
		field.Time("expires_at").Immutable(),
		field.Enum("state").Values("active", "completing", "aborting"),
		field.Time("claimed_until").Optional().Nillable().
			Comment("while completing or aborting: when that request's claim lapses and another may take over"),
		field.Int64("version").Default(1).Comment("optimistic-concurrency counter"),
	}
}

// Indexes of upload_sessions: by org, and by expiry for the clean-up of
// stale sessions; upload_id's unique index comes with the field.
func (UploadSession) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id").StorageKey("upload_sessions_org_id"),
		index.Fields("expires_at").StorageKey("upload_sessions_expires_at"),
	}
}
