-- Hand-written: the audit chain and its checkpoints are append-only like
-- the audit trail itself (docs/DESIGN.md "Audit trail"): UPDATE and DELETE
-- fail, and so does an insert that would REPLACE a row (REPLACE removes the
-- conflicting row without firing DELETE triggers), on either unique key.
-- After editing, run: go run ./ent/migrate/gen -dialect sqlite -rehash

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER storage_audit_chain_no_update
BEFORE UPDATE ON storage_audit_chain
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_chain is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER storage_audit_chain_no_delete
BEFORE DELETE ON storage_audit_chain
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_chain is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER storage_audit_chain_no_replace
BEFORE INSERT ON storage_audit_chain
WHEN EXISTS (SELECT 1 FROM storage_audit_chain WHERE event_id = NEW.event_id OR (org_id = NEW.org_id AND seq = NEW.seq))
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_chain is append-only: replacing a row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER storage_audit_checkpoints_no_update
BEFORE UPDATE ON storage_audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_checkpoints is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER storage_audit_checkpoints_no_delete
BEFORE DELETE ON storage_audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_checkpoints is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER storage_audit_checkpoints_no_replace
BEFORE INSERT ON storage_audit_checkpoints
WHEN EXISTS (SELECT 1 FROM storage_audit_checkpoints WHERE id = NEW.id OR (org_id = NEW.org_id AND seq = NEW.seq))
BEGIN
  SELECT RAISE(ABORT, 'storage_audit_checkpoints is append-only: replacing a row is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER storage_audit_checkpoints_no_replace;
DROP TRIGGER storage_audit_checkpoints_no_delete;
DROP TRIGGER storage_audit_checkpoints_no_update;
DROP TRIGGER storage_audit_chain_no_replace;
DROP TRIGGER storage_audit_chain_no_delete;
DROP TRIGGER storage_audit_chain_no_update;
