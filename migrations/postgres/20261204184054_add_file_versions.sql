-- +goose Up
-- create "file_versions" table
CREATE TABLE "file_versions" ("id" character varying NOT NULL, "org_id" character varying NOT NULL, "system" character varying NOT NULL, "object_type" character varying NOT NULL, "file_path" character varying NOT NULL COLLATE "C", "blob_key" character varying NOT NULL, "content_type" character varying NOT NULL, "size_bytes" bigint NOT NULL, "sha256" character varying NOT NULL, "uploaded_by" character varying NOT NULL, "created_at" timestamptz NOT NULL, "superseded_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- create index "file_versions_file_path" to table: "file_versions"
CREATE INDEX "file_versions_file_path" ON "file_versions" ("file_path");
-- create index "file_versions_org_id" to table: "file_versions"
CREATE INDEX "file_versions_org_id" ON "file_versions" ("org_id");
-- create index "file_versions_superseded_at" to table: "file_versions"
CREATE INDEX "file_versions_superseded_at" ON "file_versions" ("superseded_at");

-- +goose Down
-- reverse: create index "file_versions_superseded_at" to table: "file_versions"
DROP INDEX "file_versions_superseded_at";
-- reverse: create index "file_versions_org_id" to table: "file_versions"
DROP INDEX "file_versions_org_id";
-- reverse: create index "file_versions_file_path" to table: "file_versions"
DROP INDEX "file_versions_file_path";
-- reverse: create "file_versions" table
DROP TABLE "file_versions";
