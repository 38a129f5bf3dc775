-- +goose Up
-- create "tus_uploads" table
CREATE TABLE `tus_uploads` (`id` text NOT NULL, `org_id` text NOT NULL, `file_path` text NOT NULL, `created_by` text NOT NULL, `length` integer NOT NULL, `part_size` integer NOT NULL, `offset` integer NOT NULL, `segments` json NOT NULL, `metadata` text NOT NULL DEFAULT (''), `completed` bool NOT NULL DEFAULT (false), `lock_owner` text NOT NULL DEFAULT (''), `lock_until` datetime NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `version` integer NOT NULL DEFAULT (1), PRIMARY KEY (`id`));
-- create index "tus_uploads_expires_at" to table: "tus_uploads"
CREATE INDEX `tus_uploads_expires_at` ON `tus_uploads` (`expires_at`);

-- +goose Down
-- reverse: create index "tus_uploads_expires_at" to table: "tus_uploads"
DROP INDEX `tus_uploads_expires_at`;
-- reverse: create "tus_uploads" table
DROP TABLE `tus_uploads`;
