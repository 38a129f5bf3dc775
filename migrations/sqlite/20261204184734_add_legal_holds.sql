-- +goose Up
-- create "legal_holds" table
CREATE TABLE `legal_holds` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `hold_id` text NOT NULL, `org_id` text NOT NULL, `scope` text NOT NULL, `kind` text NOT NULL, `reason` text NOT NULL, `set_by` text NOT NULL, `set_at` datetime NOT NULL);
-- create index "legal_holds_hold_id_key" to table: "legal_holds"
CREATE UNIQUE INDEX `legal_holds_hold_id_key` ON `legal_holds` (`hold_id`);
-- create index "legal_holds_scope" to table: "legal_holds"
CREATE UNIQUE INDEX `legal_holds_scope` ON `legal_holds` (`org_id`, `scope`);

-- +goose Down
-- reverse: create index "legal_holds_scope" to table: "legal_holds"
DROP INDEX `legal_holds_scope`;
-- reverse: create index "legal_holds_hold_id_key" to table: "legal_holds"
DROP INDEX `legal_holds_hold_id_key`;
-- reverse: create "legal_holds" table
DROP TABLE `legal_holds`;
