-- +goose Up
-- create index "storage_audit_logs_time" to table: "storage_audit_logs"
CREATE INDEX `storage_audit_logs_time` ON `storage_audit_logs` (`timestamp`);
-- create "storage_audit_chain" table
CREATE TABLE `storage_audit_chain` (`event_id` text NOT NULL, `org_id` text NOT NULL, `seq` integer NOT NULL, `prev_hash` text NOT NULL, `hash` text NOT NULL, `sealed_at` datetime NOT NULL, PRIMARY KEY (`event_id`));
-- create index "storage_audit_chain_org_seq" to table: "storage_audit_chain"
CREATE UNIQUE INDEX `storage_audit_chain_org_seq` ON `storage_audit_chain` (`org_id`, `seq`);
-- create index "storage_audit_chain_sealed_at" to table: "storage_audit_chain"
CREATE INDEX `storage_audit_chain_sealed_at` ON `storage_audit_chain` (`sealed_at`);
-- create "storage_audit_checkpoints" table
CREATE TABLE `storage_audit_checkpoints` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `org_id` text NOT NULL, `seq` integer NOT NULL, `head_hash` text NOT NULL, `created_at` datetime NOT NULL, `key_id` text NOT NULL, `signature` text NOT NULL);
-- create index "storage_audit_checkpoints_org_seq" to table: "storage_audit_checkpoints"
CREATE UNIQUE INDEX `storage_audit_checkpoints_org_seq` ON `storage_audit_checkpoints` (`org_id`, `seq`);

-- +goose Down
-- reverse: create index "storage_audit_checkpoints_org_seq" to table: "storage_audit_checkpoints"
DROP INDEX `storage_audit_checkpoints_org_seq`;
-- reverse: create "storage_audit_checkpoints" table
DROP TABLE `storage_audit_checkpoints`;
-- reverse: create index "storage_audit_chain_sealed_at" to table: "storage_audit_chain"
DROP INDEX `storage_audit_chain_sealed_at`;
-- reverse: create index "storage_audit_chain_org_seq" to table: "storage_audit_chain"
DROP INDEX `storage_audit_chain_org_seq`;
-- reverse: create "storage_audit_chain" table
DROP TABLE `storage_audit_chain`;
-- reverse: create index "storage_audit_logs_time" to table: "storage_audit_logs"
DROP INDEX `storage_audit_logs_time`;
