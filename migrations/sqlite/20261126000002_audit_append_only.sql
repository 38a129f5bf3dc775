-- Hand-written: the audit trail is append-only (SPEC §2, §6). Any UPDATE or
-- DELETE of storage_audit_logs fails (SQLite has no TRUNCATE; its
-- "truncate optimization" of DELETE is disabled by the trigger).
-- After editing, run: go run ./ent/migrate/gen -dialect sqlite -rehash

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER storage_audit_logs_no_update
BEFORE UPDATE ON storage_audit_logs
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_logs is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER storage_audit_logs_no_delete
BEFORE DELETE ON storage_audit_logs
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_logs is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER storage_audit_logs_no_delete;
DROP TRIGGER storage_audit_logs_no_update;
