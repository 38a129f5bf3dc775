-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_file_records" table
CREATE TABLE `new_file_records` (`id` text NOT NULL, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `object_id` text NOT NULL, `file_path` text NOT NULL, `original_filename` text NOT NULL DEFAULT (''), `state` text NOT NULL, `blob_key` text NOT NULL DEFAULT (''), `content_type` text NOT NULL DEFAULT (''), `size_bytes` integer NOT NULL DEFAULT (0), `sha256` text NOT NULL DEFAULT (''), `uploaded_by` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted` bool NOT NULL DEFAULT (false), `deleted_at` datetime NULL, `deleted_by` text NOT NULL DEFAULT (''), `pending_upload_id` text NOT NULL DEFAULT (''), `pending_since` datetime NULL, `version` integer NOT NULL DEFAULT (1), `pending_until` datetime NULL, PRIMARY KEY (`id`));
-- copy rows from old table "file_records" to new temporary table "new_file_records"
INSERT INTO `new_file_records` (`id`, `org_id`, `system`, `object_type`, `object_id`, `file_path`, `original_filename`, `state`, `blob_key`, `content_type`, `size_bytes`, `sha256`, `uploaded_by`, `created_at`, `updated_at`, `deleted`, `deleted_at`, `deleted_by`, `pending_upload_id`, `pending_since`, `version`) SELECT `id`, `org_id`, `system`, `object_type`, `object_id`, `file_path`, `original_filename`, `state`, `blob_key`, `content_type`, `size_bytes`, `sha256`, `uploaded_by`, `created_at`, `updated_at`, `deleted`, `deleted_at`, `deleted_by`, `pending_upload_id`, `pending_since`, `version` FROM `file_records`;
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
-- add column "claimed_until" to table: "upload_sessions"
ALTER TABLE `upload_sessions` ADD COLUMN `claimed_until` datetime NULL;
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- reverse: add column "claimed_until" to table: "upload_sessions"
ALTER TABLE `upload_sessions` DROP COLUMN `claimed_until`;
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
