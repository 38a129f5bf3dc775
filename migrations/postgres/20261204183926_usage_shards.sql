-- +goose Up
-- drop index "storage_usage_org_system_type" from table: "storage_usage"
DROP INDEX "storage_usage_org_system_type";
-- modify "storage_usage" table
ALTER TABLE "storage_usage" ADD COLUMN "shard" bigint NOT NULL DEFAULT 0;
-- create index "storage_usage_org_system_type_shard" to table: "storage_usage"
CREATE UNIQUE INDEX "storage_usage_org_system_type_shard" ON "storage_usage" ("org_id", "system", "object_type", "shard");
-- the existing rows are shard 0; the org total rows go: an org's usage is the sum of its rows (hand-written)
DELETE FROM storage_usage WHERE system = '';

-- +goose Down
-- fold the shards into one row per org, system and object type and bring back the org total rows (hand-written)
CREATE TEMPORARY TABLE usage_folded AS
  SELECT org_id, system, object_type, SUM(bytes) AS bytes, SUM(files) AS files FROM storage_usage WHERE system <> '' GROUP BY org_id, system, object_type;
DELETE FROM storage_usage;
INSERT INTO storage_usage (org_id, system, object_type, bytes, files) SELECT org_id, system, object_type, bytes, files FROM usage_folded;
INSERT INTO storage_usage (org_id, system, object_type, bytes, files) SELECT org_id, '', '', SUM(bytes), SUM(files) FROM usage_folded GROUP BY org_id;
DROP TABLE usage_folded;
-- reverse: create index "storage_usage_org_system_type_shard" to table: "storage_usage"
DROP INDEX "storage_usage_org_system_type_shard";
-- reverse: modify "storage_usage" table
ALTER TABLE "storage_usage" DROP COLUMN "shard";
-- reverse: drop index "storage_usage_org_system_type" from table: "storage_usage"
CREATE UNIQUE INDEX "storage_usage_org_system_type" ON "storage_usage" ("org_id", "system", "object_type");
