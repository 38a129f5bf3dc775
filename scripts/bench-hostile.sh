#!/usr/bin/env bash
# Benchmark: the gateway's resident memory under hostile clients (slow
# headers, slow bodies, huge part headers, zip attacks, huge methods), on
# the real binary built from this tree, 127.0.0.1 only; about a minute.
#
#   scripts/bench-hostile.sh [-postgres] [-spaces]     (make bench-hostile)
#
# Without flags: SQLite and local disk under a temp dir. -postgres runs on
# a fresh database (through scripts/with-postgres.sh), -spaces on a fresh
# bucket of versitygw (through scripts/with-s3.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case "$arg" in
    -postgres) [ -n "${STORAGEGW_TEST_DATABASE_URL:-}" ] || exec scripts/with-postgres.sh "$0" "$@" ;;
    -spaces) [ -n "${STORAGEGW_TEST_S3_ENDPOINT:-}" ] || exec scripts/with-s3.sh "$0" "$@" ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/benchhostile" ./cmd/benchhostile
"$work/benchhostile" "$@"
