package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SignedLink holds the schema of signed_links: one row per signed URL
// handed out, with its revocation and use count (domain.Link).
type SignedLink struct {
	ent.Schema
}

// Annotations pins the table name.
func (SignedLink) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "signed_links"}}
}

// Fields of a link. Times are set by the application, in UTC.
func (SignedLink) Fields() []ent.Field {
	return []ent.Field{
		field.String("link_id").NotEmpty().Immutable().Unique(),
		field.String("org_id").NotEmpty().Immutable(),
		field.String("file_path").NotEmpty().Immutable(),
		field.String("record_id").NotEmpty().Immutable(),
		field.String("mode").NotEmpty().Immutable().Comment("local, gateway or presigned"),
		field.String("created_by").NotEmpty().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("revoked_by").Default(""),
		field.Int("max_uses").Default(0).Comment("0: unlimited"),
		field.Int("uses").Default(0),
	}
}

// Indexes of signed_links: by file, to revoke every link of one, and by
// expiry, for a clean-up.
func (SignedLink) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "file_path").StorageKey("signed_links_file"),
		index.Fields("expires_at").StorageKey("signed_links_expires_at"),
	}
}
