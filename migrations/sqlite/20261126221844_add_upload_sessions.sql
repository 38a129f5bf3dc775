-- +goose Up
-- create "upload_sessions" table
CREATE TABLE `upload_sessions` (`id` text NOT NULL, `org_id` text NOT NULL, `file_path` text NOT NULL, `upload_id` text NOT NULL, `store_upload_id` text NOT NULL, `original_filename` text NOT NULL DEFAULT (''), `declared_size` integer NOT NULL, `part_size` integer NOT NULL, `content_type` text NOT NULL DEFAULT (''), `created_by` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `state` text NOT NULL, `version` integer NOT NULL DEFAULT (1), PRIMARY KEY (`id`));
-- create index "upload_sessions_upload_id_key" to table: "upload_sessions"
CREATE UNIQUE INDEX `upload_sessions_upload_id_key` ON `upload_sessions` (`upload_id`);
-- create index "upload_sessions_org_id" to table: "upload_sessions"
CREATE INDEX `upload_sessions_org_id` ON `upload_sessions` (`org_id`);
-- create index "upload_sessions_expires_at" to table: "upload_sessions"
CREATE INDEX `upload_sessions_expires_at` ON `upload_sessions` (`expires_at`);

-- +goose Down
-- reverse: create index "upload_sessions_expires_at" to table: "upload_sessions"
DROP INDEX `upload_sessions_expires_at`;
-- reverse: create index "upload_sessions_org_id" to table: "upload_sessions"
DROP INDEX `upload_sessions_org_id`;
-- reverse: create index "upload_sessions_upload_id_key" to table: "upload_sessions"
DROP INDEX `upload_sessions_upload_id_key`;
-- reverse: create "upload_sessions" table
DROP TABLE `upload_sessions`;
