package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// FileVersion holds the schema of file_versions: one row per previous
// content of a path (domain.FileVersion), whose blob the store keeps. Its
// size counts in storage_usage like a record's.
type FileVersion struct {
	ent.Schema
}

// Annotations pins the table name.
func (FileVersion) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "file_versions"}}
}

// Fields of a version. The id (a uuid) and every time are set by the
// application; times are stored in UTC.
func (FileVersion) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().Immutable(),
		field.String("org_id").NotEmpty().Immutable(),
		field.String("system").NotEmpty().Immutable(),
		field.String("object_type").NotEmpty().Immutable(),
		field.String("file_path").NotEmpty().Immutable().
			Annotations(entsql.Annotation{Collation: "C"}),
		field.String("blob_key").NotEmpty().Immutable(),
		field.String("content_type").Immutable(),
		field.Int64("size_bytes").Immutable(),
		field.String("sha256").Immutable(),
		field.String("uploaded_by").Immutable(),
		field.Time("created_at").Immutable().Comment("when the content was committed"),
		field.Time("superseded_at").Immutable().Comment("when it stopped being the current content; the retention counts from it"),
	}
}

// Indexes of file_versions: by path, to list and drop a file's versions,
// and by time superseded, for the retention purge.
func (FileVersion) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("file_path").StorageKey("file_versions_file_path"),
		index.Fields("superseded_at").StorageKey("file_versions_superseded_at"),
		index.Fields("org_id").StorageKey("file_versions_org_id"),
	}
}
