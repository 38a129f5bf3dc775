// Package ent is the Ent client generated from ./schema for the file_records
// and storage_audit_logs tables. Only adapters/postgres imports it.
package ent

//go:generate go tool ent generate ./schema
