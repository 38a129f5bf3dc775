-- +goose Up
-- create "signed_links" table
CREATE TABLE `signed_links` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `link_id` text NOT NULL, `org_id` text NOT NULL, `file_path` text NOT NULL, `record_id` text NOT NULL, `mode` text NOT NULL, `created_by` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `revoked_at` datetime NULL, `revoked_by` text NOT NULL DEFAULT (''), `max_uses` integer NOT NULL DEFAULT (0), `uses` integer NOT NULL DEFAULT (0));
-- create index "signed_links_link_id_key" to table: "signed_links"
CREATE UNIQUE INDEX `signed_links_link_id_key` ON `signed_links` (`link_id`);
-- create index "signed_links_file" to table: "signed_links"
CREATE INDEX `signed_links_file` ON `signed_links` (`org_id`, `file_path`);
-- create index "signed_links_expires_at" to table: "signed_links"
CREATE INDEX `signed_links_expires_at` ON `signed_links` (`expires_at`);

-- +goose Down
-- reverse: create index "signed_links_expires_at" to table: "signed_links"
DROP INDEX `signed_links_expires_at`;
-- reverse: create index "signed_links_file" to table: "signed_links"
DROP INDEX `signed_links_file`;
-- reverse: create index "signed_links_link_id_key" to table: "signed_links"
DROP INDEX `signed_links_link_id_key`;
-- reverse: create "signed_links" table
DROP TABLE `signed_links`;
