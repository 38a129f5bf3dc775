#!/usr/bin/env bash
# Benchmark: what the audit trail costs the requests it records, on the
# real binary built from this tree, 127.0.0.1 only, under two minutes:
# /healthz and /signed-url at 64 clients, 10 KiB receipt uploads at 32,
# on SQLite and on PostgreSQL (through scripts/with-postgres.sh), local disk.
#
#   scripts/bench-audit.sh [-duration 6s] [-clients 64] [-uploaders 32]     (make bench-audit)
set -euo pipefail
cd "$(dirname "$0")/.."

[ -n "${STORAGEGW_TEST_DATABASE_URL:-}" ] || exec scripts/with-postgres.sh "$0" "$@"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/benchaudit" ./cmd/benchaudit
"$work/benchaudit" "$@"
