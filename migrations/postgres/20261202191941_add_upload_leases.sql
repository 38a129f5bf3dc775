-- +goose Up
-- modify "file_records" table
ALTER TABLE "file_records" ADD COLUMN "pending_until" timestamptz NULL;
-- create index "file_records_pending_until" to table: "file_records"
CREATE INDEX "file_records_pending_until" ON "file_records" ("pending_until");
-- modify "upload_sessions" table
ALTER TABLE "upload_sessions" ADD COLUMN "claimed_until" timestamptz NULL;

-- +goose Down
-- reverse: modify "upload_sessions" table
ALTER TABLE "upload_sessions" DROP COLUMN "claimed_until";
-- reverse: create index "file_records_pending_until" to table: "file_records"
DROP INDEX "file_records_pending_until";
-- reverse: modify "file_records" table
ALTER TABLE "file_records" DROP COLUMN "pending_until";
