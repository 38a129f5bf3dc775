#!/usr/bin/env bash
# Benchmark of the byte path, in one run, each figure next to its reference
# (cmd/benchupload):
#   - 1 GiB through the gateway to a real S3 server (versitygw) vs a direct
#     minio-go PUT of the same bytes, and 8 concurrent 128 MiB uploads vs 8
#     direct PUTs, with the gateway's peak RSS growth;
#   - a 1 GiB local-disk upload vs a probe streaming the same bytes to a
#     file with sha256 and fsync; its signed-URL download vs http.ServeFile;
#   - 10 KiB receipt uploads per second at 32 clients on SQLite and
#     PostgreSQL.
#
#   scripts/bench-upload.sh [FLAGS]     (make bench-upload; FLAGS: -size, -each,
#                                        -concurrent, -part-mib, -clients, -receipts)
#
# It brings up PostgreSQL and versitygw itself (scripts/with-postgres.sh,
# scripts/with-s3.sh); the gateways are built from this tree and run as
# their own processes on 127.0.0.1. Needs about 3 GiB of free disk in TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${STORAGEGW_TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi
if [ -z "${STORAGEGW_TEST_S3_ENDPOINT:-}" ]; then
  exec scripts/with-s3.sh "$0" "$@"
fi
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/benchupload" ./cmd/benchupload
"$bin/benchupload" "$@"
