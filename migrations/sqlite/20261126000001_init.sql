-- +goose Up
-- create "storage_audit_logs" table
CREATE TABLE `storage_audit_logs` (`id` text NOT NULL, `timestamp` datetime NOT NULL, `org_id` text NOT NULL, `user_id` text NOT NULL, `user_role` text NOT NULL DEFAULT (''), `ip_address` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `action_type` text NOT NULL, `file_path` text NOT NULL DEFAULT (''), `related_object_type` text NOT NULL DEFAULT (''), `related_object_id` text NOT NULL DEFAULT (''), `metadata` json NULL, `success` bool NOT NULL, `error_message` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- create index "storage_audit_logs_org_time" to table: "storage_audit_logs"
CREATE INDEX `storage_audit_logs_org_time` ON `storage_audit_logs` (`org_id`, `timestamp` DESC, `id` DESC);
-- create index "storage_audit_logs_org_user" to table: "storage_audit_logs"
CREATE INDEX `storage_audit_logs_org_user` ON `storage_audit_logs` (`org_id`, `user_id`, `timestamp`);
-- create index "storage_audit_logs_org_action" to table: "storage_audit_logs"
CREATE INDEX `storage_audit_logs_org_action` ON `storage_audit_logs` (`org_id`, `action_type`, `timestamp`);
-- create index "storage_audit_logs_org_path" to table: "storage_audit_logs"
CREATE INDEX `storage_audit_logs_org_path` ON `storage_audit_logs` (`org_id`, `file_path`, `timestamp`);
-- create index "storage_audit_logs_org_related" to table: "storage_audit_logs"
CREATE INDEX `storage_audit_logs_org_related` ON `storage_audit_logs` (`org_id`, `related_object_type`, `related_object_id`, `timestamp`);
-- create "file_records" table
CREATE TABLE `file_records` (`id` text NOT NULL, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `object_id` text NOT NULL, `file_path` text NOT NULL, `original_filename` text NOT NULL DEFAULT (''), `state` text NOT NULL, `blob_key` text NOT NULL DEFAULT (''), `content_type` text NOT NULL DEFAULT (''), `size_bytes` integer NOT NULL DEFAULT (0), `sha256` text NOT NULL DEFAULT (''), `uploaded_by` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted` bool NOT NULL DEFAULT (false), `deleted_at` datetime NULL, `deleted_by` text NOT NULL DEFAULT (''), `pending_upload_id` text NOT NULL DEFAULT (''), `pending_since` datetime NULL, `version` integer NOT NULL DEFAULT (1), PRIMARY KEY (`id`));
-- create index "file_records_file_path_key" to table: "file_records"
CREATE UNIQUE INDEX `file_records_file_path_key` ON `file_records` (`file_path`);
-- create index "file_records_org_id" to table: "file_records"
CREATE INDEX `file_records_org_id` ON `file_records` (`org_id`);
-- create index "file_records_system" to table: "file_records"
CREATE INDEX `file_records_system` ON `file_records` (`system`);
-- create index "file_records_object_type" to table: "file_records"
CREATE INDEX `file_records_object_type` ON `file_records` (`object_type`);
-- create index "file_records_object_id" to table: "file_records"
CREATE INDEX `file_records_object_id` ON `file_records` (`object_id`);
-- create index "file_records_uploaded_by" to table: "file_records"
CREATE INDEX `file_records_uploaded_by` ON `file_records` (`uploaded_by`);
-- create index "file_records_deleted" to table: "file_records"
CREATE INDEX `file_records_deleted` ON `file_records` (`deleted`);
-- create index "file_records_created_at" to table: "file_records"
CREATE INDEX `file_records_created_at` ON `file_records` (`created_at`);

-- +goose Down
-- reverse: create index "file_records_created_at" to table: "file_records"
DROP INDEX `file_records_created_at`;
-- reverse: create index "file_records_deleted" to table: "file_records"
DROP INDEX `file_records_deleted`;
-- reverse: create index "file_records_uploaded_by" to table: "file_records"
DROP INDEX `file_records_uploaded_by`;
-- reverse: create index "file_records_object_id" to table: "file_records"
DROP INDEX `file_records_object_id`;
-- reverse: create index "file_records_object_type" to table: "file_records"
DROP INDEX `file_records_object_type`;
-- reverse: create index "file_records_system" to table: "file_records"
DROP INDEX `file_records_system`;
-- reverse: create index "file_records_org_id" to table: "file_records"
DROP INDEX `file_records_org_id`;
-- reverse: create index "file_records_file_path_key" to table: "file_records"
DROP INDEX `file_records_file_path_key`;
-- reverse: create "file_records" table
DROP TABLE `file_records`;
-- reverse: create index "storage_audit_logs_org_related" to table: "storage_audit_logs"
DROP INDEX `storage_audit_logs_org_related`;
-- reverse: create index "storage_audit_logs_org_path" to table: "storage_audit_logs"
DROP INDEX `storage_audit_logs_org_path`;
-- reverse: create index "storage_audit_logs_org_action" to table: "storage_audit_logs"
DROP INDEX `storage_audit_logs_org_action`;
-- reverse: create index "storage_audit_logs_org_user" to table: "storage_audit_logs"
DROP INDEX `storage_audit_logs_org_user`;
-- reverse: create index "storage_audit_logs_org_time" to table: "storage_audit_logs"
DROP INDEX `storage_audit_logs_org_time`;
-- reverse: create "storage_audit_logs" table
DROP TABLE `storage_audit_logs`;
