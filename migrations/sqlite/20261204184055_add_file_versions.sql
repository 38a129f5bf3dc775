-- +goose Up
-- create "file_versions" table
CREATE TABLE `file_versions` (`id` text NOT NULL, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `file_path` text NOT NULL, `blob_key` text NOT NULL, `content_type` text NOT NULL, `size_bytes` integer NOT NULL, `sha256` text NOT NULL, `uploaded_by` text NOT NULL, `created_at` datetime NOT NULL, `superseded_at` datetime NOT NULL, PRIMARY KEY (`id`));
-- create index "file_versions_file_path" to table: "file_versions"
CREATE INDEX `file_versions_file_path` ON `file_versions` (`file_path`);
-- create index "file_versions_superseded_at" to table: "file_versions"
CREATE INDEX `file_versions_superseded_at` ON `file_versions` (`superseded_at`);
-- create index "file_versions_org_id" to table: "file_versions"
CREATE INDEX `file_versions_org_id` ON `file_versions` (`org_id`);

-- +goose Down
-- reverse: create index "file_versions_org_id" to table: "file_versions"
DROP INDEX `file_versions_org_id`;
-- reverse: create index "file_versions_superseded_at" to table: "file_versions"
DROP INDEX `file_versions_superseded_at`;
-- reverse: create index "file_versions_file_path" to table: "file_versions"
DROP INDEX `file_versions_file_path`;
-- reverse: create "file_versions" table
DROP TABLE `file_versions`;
