#!/usr/bin/env bash
# Benchmark: a large upload (default 1 GiB) through the gateway to a real S3
# server (versitygw), next to a direct minio-go PUT of the same bytes to the
# same server, in one run. Reports throughput of both and the gateway's
# resident memory before and at peak.
#
#   scripts/bench-upload.sh [SIZE_BYTES]     (make bench-upload)
#
# The gateway runs as its own process (built from this tree) on Spaces
# settings pointing at versitygw, with a config file raising the
# email-attachment limit so SIZE fits.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${STORAGEGW_TEST_S3_ENDPOINT:-}" ]; then
  exec scripts/with-s3.sh "$0" "$@"
fi
size="${1:-1073741824}"
work="$(mktemp -d)"
gw_pid=""
cleanup() {
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/storagegw" ./cmd/storagegw
go build -o "$work/benchupload" ./cmd/benchupload
bucket="bench-$(date +%s)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat > "$work/config.yaml" <<YAML
limits:
  communications/email-attachment: {max_bytes: $((size + 1048576))}
YAML

export STORAGEGW_CONFIG="$work/config.yaml" STORAGEGW_DATA_DIR="$work/data" STORAGEGW_ADDR="127.0.0.1:$port" \
  STORAGEGW_LOG_LEVEL=warn SPACES_ENDPOINT="$STORAGEGW_TEST_S3_ENDPOINT" SPACES_BUCKET="$bucket" \
  SPACES_ACCESS_KEY="$STORAGEGW_TEST_S3_ACCESS_KEY" SPACES_SECRET_KEY="$STORAGEGW_TEST_S3_SECRET_KEY" \
  SPACES_REGION=us-east-1 SPACES_USE_SSL=false SPACES_PATH_STYLE=true

# The bucket must exist before the gateway's startup check.
"$work/benchupload" -make-bucket -s3 "$STORAGEGW_TEST_S3_ENDPOINT" -access "$STORAGEGW_TEST_S3_ACCESS_KEY" \
  -secret "$STORAGEGW_TEST_S3_SECRET_KEY" -bucket "$bucket"

"$work/storagegw" serve 2> "$work/serve.log" &
gw_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
token="$("$work/storagegw" token --sub bench --org org-bench --role member)"

"$work/benchupload" -gateway "http://127.0.0.1:$port" -token "$token" -pid "$gw_pid" -size "$size" \
  -s3 "$STORAGEGW_TEST_S3_ENDPOINT" -access "$STORAGEGW_TEST_S3_ACCESS_KEY" \
  -secret "$STORAGEGW_TEST_S3_SECRET_KEY" -bucket "$bucket" -part-mib "${SPACES_PART_SIZE_MIB:-16}"
