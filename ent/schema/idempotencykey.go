package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// IdempotencyKey holds the schema of idempotency_keys: one row per
// Idempotency-Key of an org's user, claimed by its first request and then
// holding that request's fingerprint and answer until it expires (removed
// by the clean-up).
type IdempotencyKey struct {
	ent.Schema
}

// Annotations pins the table name.
func (IdempotencyKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "idempotency_keys"}}
}

// Fields of a key. Times are set by the application, in UTC.
func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("org_id").NotEmpty().Immutable(),
		field.String("user_id").NotEmpty().Immutable(),
		field.String("key").NotEmpty().MaxLen(255).Immutable(),
		field.String("action").NotEmpty(),
		field.Enum("state").Values("in_progress", "applied", "completed"),
		field.String("owner").NotEmpty().Comment("the claim holding the lease"),
		field.String("request_id").Default(""),
		field.String("fingerprint").Default("").Comment("sha256 hex of the first request; empty while in progress"),
		field.Int("status").Default(0).Comment("the stored answer's HTTP status"),
		field.JSON("header", map[string][]string{}).Optional().Comment("the stored answer's headers that matter"),
		field.Bytes("body").Optional().Comment("the stored answer's body (bounded by the HTTP adapter)"),
		field.String("file_path").Default("").Comment("the path the first request concerned, for the replay's audit event"),
		field.String("error_code").Default("").Comment("the first answer's error code; empty on success"),
		field.Time("created_at"),
		field.Time("lease_until"),
		field.Time("expires_at"),
		field.Int64("version").Default(1).Comment("optimistic-concurrency counter"),
	}
}

// Indexes of idempotency_keys: one row per org, user and key, and by
// expiry for the clean-up.
func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("org_id", "user_id", "key").Unique().StorageKey("idempotency_keys_scope"),
		index.Fields("expires_at").StorageKey("idempotency_keys_expires_at"),
	}
}
