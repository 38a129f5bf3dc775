-- +goose Up
-- create "idempotency_keys" table
CREATE TABLE `idempotency_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `org_id` text NOT NULL, `user_id` text NOT NULL, `key` text NOT NULL, `action` text NOT NULL, `state` text NOT NULL, `owner` text NOT NULL, `request_id` text NOT NULL DEFAULT (''), `fingerprint` text NOT NULL DEFAULT (''), `status` integer NOT NULL DEFAULT (0), `header` json NULL, `body` blob NULL, `file_path` text NOT NULL DEFAULT (''), `error_code` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `lease_until` datetime NOT NULL, `expires_at` datetime NOT NULL, `version` integer NOT NULL DEFAULT (1));
-- create index "idempotency_keys_scope" to table: "idempotency_keys"
CREATE UNIQUE INDEX `idempotency_keys_scope` ON `idempotency_keys` (`org_id`, `user_id`, `key`);
-- create index "idempotency_keys_expires_at" to table: "idempotency_keys"
CREATE INDEX `idempotency_keys_expires_at` ON `idempotency_keys` (`expires_at`);

-- +goose Down
-- reverse: create index "idempotency_keys_expires_at" to table: "idempotency_keys"
DROP INDEX `idempotency_keys_expires_at`;
-- reverse: create index "idempotency_keys_scope" to table: "idempotency_keys"
DROP INDEX `idempotency_keys_scope`;
-- reverse: create "idempotency_keys" table
DROP TABLE `idempotency_keys`;
