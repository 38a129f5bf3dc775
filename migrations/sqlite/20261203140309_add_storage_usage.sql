-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_file_records" table
CREATE TABLE `new_file_records` (`id` text NOT NULL, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `object_id` text NOT NULL, `file_path` text NOT NULL, `original_filename` text NOT NULL DEFAULT (''), `state` text NOT NULL, `blob_key` text NOT NULL DEFAULT (''), `content_type` text NOT NULL DEFAULT (''), `size_bytes` integer NOT NULL DEFAULT (0), `sha256` text NOT NULL DEFAULT (''), `uploaded_by` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted` bool NOT NULL DEFAULT (false), `deleted_at` datetime NULL, `deleted_by` text NOT NULL DEFAULT (''), `pending_upload_id` text NOT NULL DEFAULT (''), `pending_since` datetime NULL, `version` integer NOT NULL DEFAULT (1), `pending_until` datetime NULL, `pending_bytes` integer NOT NULL DEFAULT (0), PRIMARY KEY (`id`));
-- copy rows from old table "file_records" to new temporary table "new_file_records"
INSERT INTO `new_file_records` (`id`, `org_id`, `system`, `object_type`, `object_id`, `file_path`, `original_filename`, `state`, `blob_key`, `content_type`, `size_bytes`, `sha256`, `uploaded_by`, `created_at`, `updated_at`, `deleted`, `deleted_at`, `deleted_by`, `pending_upload_id`, `pending_since`, `version`, `pending_until`) SELECT `id`, `org_id`, `system`, `object_type`, `object_id`, `file_path`, `original_filename`, `state`, `blob_key`, `content_type`, `size_bytes`, `sha256`, `uploaded_by`, `created_at`, `updated_at`, `deleted`, `deleted_at`, `deleted_by`, `pending_upload_id`, `pending_since`, `version`, `pending_until` FROM `file_records`;
-- drop "file_records" table after copying rows
DROP TABLE `file_records`;
-- rename temporary table "new_file_records" to "file_records"
ALTER TABLE `new_file_records` RENAME TO `file_records`;
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
-- create index "file_records_pending_until" to table: "file_records"
CREATE INDEX `file_records_pending_until` ON `file_records` (`pending_until`);
-- create "storage_usage" table
CREATE TABLE `storage_usage` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `bytes` integer NOT NULL DEFAULT (0), `files` integer NOT NULL DEFAULT (0));
-- create index "storage_usage_org_system_type" to table: "storage_usage"
CREATE UNIQUE INDEX `storage_usage_org_system_type` ON `storage_usage` (`org_id`, `system`, `object_type`);
-- count what the existing records hold (hand-written): a row per org, system and object type, and the org's total row
INSERT INTO storage_usage (org_id, system, object_type, bytes, files)
  SELECT org_id, system, object_type, SUM(size_bytes), COUNT(*) FROM file_records WHERE state = 'active' GROUP BY org_id, system, object_type;
INSERT INTO storage_usage (org_id, system, object_type, bytes, files)
  SELECT org_id, '', '', SUM(size_bytes), COUNT(*) FROM file_records WHERE state = 'active' GROUP BY org_id;
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- reverse: create index "storage_usage_org_system_type" to table: "storage_usage"
DROP INDEX `storage_usage_org_system_type`;
-- reverse: create "storage_usage" table
DROP TABLE `storage_usage`;
-- reverse: create index "file_records_pending_until" to table: "file_records"
DROP INDEX `file_records_pending_until`;
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
-- reverse: create "new_file_records" table
DROP TABLE `new_file_records`;
