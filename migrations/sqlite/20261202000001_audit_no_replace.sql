-- Hand-written: the audit trail is append-only against every statement.
-- SQLite's REPLACE conflict resolution (INSERT OR REPLACE, REPLACE INTO)
-- removes the conflicting row without firing DELETE triggers (unless
-- recursive_triggers is on), so an insert whose id is already taken is
-- refused before any conflict resolution runs. An UPSERT's DO UPDATE is
-- refused here too (and by storage_audit_logs_no_update).
-- After editing, run: go run ./ent/migrate/gen -dialect sqlite -rehash

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER storage_audit_logs_no_replace
BEFORE INSERT ON storage_audit_logs
WHEN EXISTS (SELECT 1 FROM storage_audit_logs WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_logs is append-only: replacing a row is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER storage_audit_logs_no_replace;
