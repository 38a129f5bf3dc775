-- +goose Up
-- create "tus_uploads" table
CREATE TABLE "tus_uploads" ("id" character varying NOT NULL, "org_id" character varying NOT NULL, "file_path" character varying NOT NULL, "created_by" character varying NOT NULL, "length" bigint NOT NULL, "part_size" bigint NOT NULL, "offset" bigint NOT NULL, "segments" jsonb NOT NULL, "metadata" character varying NOT NULL DEFAULT '', "completed" boolean NOT NULL DEFAULT false, "lock_owner" character varying NOT NULL DEFAULT '', "lock_until" timestamptz NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "version" bigint NOT NULL DEFAULT 1, PRIMARY KEY ("id"));
-- create index "tus_uploads_expires_at" to table: "tus_uploads"
CREATE INDEX "tus_uploads_expires_at" ON "tus_uploads" ("expires_at");

-- +goose Down
-- reverse: create index "tus_uploads_expires_at" to table: "tus_uploads"
DROP INDEX "tus_uploads_expires_at";
-- reverse: create "tus_uploads" table
DROP TABLE "tus_uploads";
