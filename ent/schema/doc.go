// Package schema declares the Ent schema of storagegw's database: file
// records, the append-only audit trail (SPEC §2) and multipart upload
// sessions. The SQL migrations in migrations/ are generated from it; see
// ent/migrate/gen.
package schema
