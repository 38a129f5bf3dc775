package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LegalHold holds the schema of legal_holds: one row per standing legal
// hold (domain.LegalHold). Clearing a hold deletes its row; the trail
// keeps its LEGAL_HOLD_SET and LEGAL_HOLD_CLEARED events.
type LegalHold struct {
	ent.Schema
}

// Annotations pins the table name.
func (LegalHold) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "legal_holds"}}
}

// Fields of a hold. Times are set by the application, in UTC.
func (LegalHold) Fields() []ent.Field {
	return []ent.Field{
		field.String("hold_id").NotEmpty().Immutable().Unique(),
		field.String("org_id").NotEmpty().Immutable(),
		// Scopes sort and compare bytewise, as file paths do (List's order
		// and prefix): PostgreSQL gets the "C" collation.
		field.String("scope").NotEmpty().Immutable().
			Comment("the full key: a file's path, or the object's prefix {org}/{system}/{type}/{id}/").
			Annotations(entsql.Annotation{Collation: "C"}),
		field.String("kind").NotEmpty().Immutable().Comment("file or object"),
		field.String("reason").NotEmpty().Immutable(),
		field.String("set_by").NotEmpty().Immutable(),
		field.Time("set_at").Immutable(),
	}
}

// Indexes of legal_holds: one hold per org and scope, which is also how
// a change finds the holds that cover a path (its own and its object's).
func (LegalHold) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "scope").Unique().StorageKey("legal_holds_scope"),
	}
}
