-- +goose Up
-- create "upload_sessions" table
CREATE TABLE "upload_sessions" ("id" character varying NOT NULL, "org_id" character varying NOT NULL, "file_path" character varying NOT NULL, "upload_id" character varying NOT NULL, "store_upload_id" character varying NOT NULL, "original_filename" character varying NOT NULL DEFAULT '', "declared_size" bigint NOT NULL, "part_size" bigint NOT NULL, "content_type" character varying NOT NULL DEFAULT '', "created_by" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "state" character varying NOT NULL, "version" bigint NOT NULL DEFAULT 1, PRIMARY KEY ("id"));
-- create index "upload_sessions_expires_at" to table: "upload_sessions"
CREATE INDEX "upload_sessions_expires_at" ON "upload_sessions" ("expires_at");
-- create index "upload_sessions_org_id" to table: "upload_sessions"
CREATE INDEX "upload_sessions_org_id" ON "upload_sessions" ("org_id");
-- create index "upload_sessions_upload_id_key" to table: "upload_sessions"
CREATE UNIQUE INDEX "upload_sessions_upload_id_key" ON "upload_sessions" ("upload_id");

-- +goose Down
-- reverse: create index "upload_sessions_upload_id_key" to table: "upload_sessions"
DROP INDEX "upload_sessions_upload_id_key";
-- reverse: create index "upload_sessions_org_id" to table: "upload_sessions"
DROP INDEX "upload_sessions_org_id";
-- reverse: create index "upload_sessions_expires_at" to table: "upload_sessions"
DROP INDEX "upload_sessions_expires_at";
-- reverse: create "upload_sessions" table
DROP TABLE "upload_sessions";
