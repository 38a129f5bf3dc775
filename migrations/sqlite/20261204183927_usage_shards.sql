-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_storage_usage" table
CREATE TABLE `new_storage_usage` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `shard` integer NOT NULL DEFAULT (0), `bytes` integer NOT NULL DEFAULT (0), `files` integer NOT NULL DEFAULT (0));
-- copy rows from old table "storage_usage" to new temporary table "new_storage_usage": they are shard 0, and the org total rows go (an org's usage is the sum of its rows; hand-written)
INSERT INTO `new_storage_usage` (`id`, `org_id`, `system`, `object_type`, `bytes`, `files`) SELECT `id`, `org_id`, `system`, `object_type`, `bytes`, `files` FROM `storage_usage` WHERE `system` <> '';
-- drop "storage_usage" table after copying rows
DROP TABLE `storage_usage`;
-- rename temporary table "new_storage_usage" to "storage_usage"
ALTER TABLE `new_storage_usage` RENAME TO `storage_usage`;
-- create index "storage_usage_org_system_type_shard" to table: "storage_usage"
CREATE UNIQUE INDEX `storage_usage_org_system_type_shard` ON `storage_usage` (`org_id`, `system`, `object_type`, `shard`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- fold the shards into one row per org, system and object type and bring back the org total rows (hand-written)
CREATE TABLE `old_storage_usage` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `org_id` text NOT NULL, `system` text NOT NULL, `object_type` text NOT NULL, `bytes` integer NOT NULL DEFAULT (0), `files` integer NOT NULL DEFAULT (0));
INSERT INTO `old_storage_usage` (`org_id`, `system`, `object_type`, `bytes`, `files`)
  SELECT `org_id`, `system`, `object_type`, SUM(`bytes`), SUM(`files`) FROM `storage_usage` WHERE `system` <> '' GROUP BY `org_id`, `system`, `object_type`;
INSERT INTO `old_storage_usage` (`org_id`, `system`, `object_type`, `bytes`, `files`)
  SELECT `org_id`, '', '', SUM(`bytes`), SUM(`files`) FROM `storage_usage` WHERE `system` <> '' GROUP BY `org_id`;
DROP TABLE `storage_usage`;
ALTER TABLE `old_storage_usage` RENAME TO `storage_usage`;
CREATE UNIQUE INDEX `storage_usage_org_system_type` ON `storage_usage` (`org_id`, `system`, `object_type`);
