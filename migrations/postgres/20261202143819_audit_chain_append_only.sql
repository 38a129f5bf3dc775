-- Hand-written: the audit chain and its checkpoints are append-only like
-- the audit trail itself (docs/DESIGN.md "Audit trail"). Any UPDATE,
-- DELETE or TRUNCATE of storage_audit_chain or storage_audit_checkpoints
-- fails, whoever runs it.
-- After editing, run: go run ./ent/migrate/gen -dialect postgres -rehash

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION storage_audit_chain_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER storage_audit_chain_no_update_delete
  BEFORE UPDATE OR DELETE ON storage_audit_chain
  FOR EACH ROW EXECUTE FUNCTION storage_audit_chain_append_only();
CREATE TRIGGER storage_audit_chain_no_truncate
  BEFORE TRUNCATE ON storage_audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION storage_audit_chain_append_only();
CREATE TRIGGER storage_audit_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON storage_audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION storage_audit_chain_append_only();
CREATE TRIGGER storage_audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON storage_audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION storage_audit_chain_append_only();

-- +goose Down
DROP TRIGGER storage_audit_checkpoints_no_truncate ON storage_audit_checkpoints;
DROP TRIGGER storage_audit_checkpoints_no_update_delete ON storage_audit_checkpoints;
DROP TRIGGER storage_audit_chain_no_truncate ON storage_audit_chain;
DROP TRIGGER storage_audit_chain_no_update_delete ON storage_audit_chain;
DROP FUNCTION storage_audit_chain_append_only();
