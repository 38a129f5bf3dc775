-- +goose Up
-- create "storage_audit_logs" table
CREATE TABLE "storage_audit_logs" ("id" character varying NOT NULL, "timestamp" timestamptz NOT NULL, "org_id" character varying NOT NULL, "user_id" character varying NOT NULL, "user_role" character varying NOT NULL DEFAULT '', "ip_address" character varying NOT NULL DEFAULT '', "user_agent" character varying NOT NULL DEFAULT '', "action_type" character varying NOT NULL, "file_path" character varying NOT NULL DEFAULT '', "related_object_type" character varying NOT NULL DEFAULT '', "related_object_id" character varying NOT NULL DEFAULT '', "metadata" jsonb NULL, "success" boolean NOT NULL, "error_message" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- create index "storage_audit_logs_org_action" to table: "storage_audit_logs"
CREATE INDEX "storage_audit_logs_org_action" ON "storage_audit_logs" ("org_id", "action_type", "timestamp");
-- create index "storage_audit_logs_org_path" to table: "storage_audit_logs"
CREATE INDEX "storage_audit_logs_org_path" ON "storage_audit_logs" ("org_id", "file_path", "timestamp");
-- create index "storage_audit_logs_org_related" to table: "storage_audit_logs"
CREATE INDEX "storage_audit_logs_org_related" ON "storage_audit_logs" ("org_id", "related_object_type", "related_object_id", "timestamp");
-- create index "storage_audit_logs_org_time" to table: "storage_audit_logs"
CREATE INDEX "storage_audit_logs_org_time" ON "storage_audit_logs" ("org_id", "timestamp" DESC, "id" DESC);
-- create index "storage_audit_logs_org_user" to table: "storage_audit_logs"
CREATE INDEX "storage_audit_logs_org_user" ON "storage_audit_logs" ("org_id", "user_id", "timestamp");
-- create "file_records" table
CREATE TABLE "file_records" ("id" character varying NOT NULL, "org_id" character varying NOT NULL, "system" character varying NOT NULL, "object_type" character varying NOT NULL, "object_id" character varying NOT NULL, "file_path" character varying NOT NULL COLLATE "C", "original_filename" character varying NOT NULL DEFAULT '', "state" character varying NOT NULL, "blob_key" character varying NOT NULL DEFAULT '', "content_type" character varying NOT NULL DEFAULT '', "size_bytes" bigint NOT NULL DEFAULT 0, "sha256" character varying NOT NULL DEFAULT '', "uploaded_by" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "deleted" boolean NOT NULL DEFAULT false, "deleted_at" timestamptz NULL, "deleted_by" character varying NOT NULL DEFAULT '', "pending_upload_id" character varying NOT NULL DEFAULT '', "pending_since" timestamptz NULL, "version" bigint NOT NULL DEFAULT 1, PRIMARY KEY ("id"));
-- create index "file_records_created_at" to table: "file_records"
CREATE INDEX "file_records_created_at" ON "file_records" ("created_at");
-- create index "file_records_deleted" to table: "file_records"
CREATE INDEX "file_records_deleted" ON "file_records" ("deleted");
-- create index "file_records_file_path_key" to table: "file_records"
CREATE UNIQUE INDEX "file_records_file_path_key" ON "file_records" ("file_path");
-- create index "file_records_object_id" to table: "file_records"
CREATE INDEX "file_records_object_id" ON "file_records" ("object_id");
-- create index "file_records_object_type" to table: "file_records"
CREATE INDEX "file_records_object_type" ON "file_records" ("object_type");
-- create index "file_records_org_id" to table: "file_records"
CREATE INDEX "file_records_org_id" ON "file_records" ("org_id");
-- create index "file_records_system" to table: "file_records"
CREATE INDEX "file_records_system" ON "file_records" ("system");
-- create index "file_records_uploaded_by" to table: "file_records"
CREATE INDEX "file_records_uploaded_by" ON "file_records" ("uploaded_by");

-- +goose Down
-- reverse: create index "file_records_uploaded_by" to table: "file_records"
DROP INDEX "file_records_uploaded_by";
-- reverse: create index "file_records_system" to table: "file_records"
DROP INDEX "file_records_system";
-- reverse: create index "file_records_org_id" to table: "file_records"
DROP INDEX "file_records_org_id";
-- reverse: create index "file_records_object_type" to table: "file_records"
DROP INDEX "file_records_object_type";
-- reverse: create index "file_records_object_id" to table: "file_records"
DROP INDEX "file_records_object_id";
-- reverse: create index "file_records_file_path_key" to table: "file_records"
DROP INDEX "file_records_file_path_key";
-- reverse: create index "file_records_deleted" to table: "file_records"
DROP INDEX "file_records_deleted";
-- reverse: create index "file_records_created_at" to table: "file_records"
DROP INDEX "file_records_created_at";
-- reverse: create "file_records" table
DROP TABLE "file_records";
-- reverse: create index "storage_audit_logs_org_user" to table: "storage_audit_logs"
DROP INDEX "storage_audit_logs_org_user";
-- reverse: create index "storage_audit_logs_org_time" to table: "storage_audit_logs"
DROP INDEX "storage_audit_logs_org_time";
-- reverse: create index "storage_audit_logs_org_related" to table: "storage_audit_logs"
DROP INDEX "storage_audit_logs_org_related";
-- reverse: create index "storage_audit_logs_org_path" to table: "storage_audit_logs"
DROP INDEX "storage_audit_logs_org_path";
-- reverse: create index "storage_audit_logs_org_action" to table: "storage_audit_logs"
DROP INDEX "storage_audit_logs_org_action";
-- reverse: create "storage_audit_logs" table
DROP TABLE "storage_audit_logs";
