// Package ent is the Ent client generated from ./schema for the file_records,
// storage_audit_logs and upload_sessions tables. Only adapters/postgres
// imports it.
package ent

//go:generate go tool ent generate --feature sql/execquery ./schema
