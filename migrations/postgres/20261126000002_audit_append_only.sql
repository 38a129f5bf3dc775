-- Hand-written: the audit trail is append-only (SPEC §2, §6). Any UPDATE,
-- DELETE or TRUNCATE of storage_audit_logs fails, whoever runs it.
-- After editing, run: go run ./ent/migrate/gen -dialect postgres -rehash

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION storage_audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'storage_audit_logs is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER storage_audit_logs_no_update_delete
  BEFORE UPDATE OR DELETE ON storage_audit_logs
  FOR EACH ROW EXECUTE FUNCTION storage_audit_logs_append_only();
CREATE TRIGGER storage_audit_logs_no_truncate
  BEFORE TRUNCATE ON storage_audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION storage_audit_logs_append_only();

-- +goose Down
DROP TRIGGER storage_audit_logs_no_truncate ON storage_audit_logs;
DROP TRIGGER storage_audit_logs_no_update_delete ON storage_audit_logs;
DROP FUNCTION storage_audit_logs_append_only();
