#!/usr/bin/env bash
# Runs a command with a throwaway S3 server, so that the tests of
# adapters/spaces run against a real S3 implementation:
#
#   scripts/with-s3.sh go test ./adapters/spaces/
#
# It installs versitygw (scripts/install-versitygw.sh, cached), starts it on
# a free 127.0.0.1 port with the posix backend in a temp dir and freshly
# generated root keys, waits until it answers, exports
#
#   STORAGEGW_TEST_S3_ENDPOINT    127.0.0.1:PORT (plain HTTP)
#   STORAGEGW_TEST_S3_ACCESS_KEY
#   STORAGEGW_TEST_S3_SECRET_KEY
#
# runs the command, then stops the server and removes the temp dir, also
# when the command fails or is interrupted. The command's exit status is
# the script's.
#
# STORAGEGW_TEST_S3_ENDPOINT already set: the command runs as is, against
# that server. versitygw cannot be installed or started: with CI=true the
# script fails; otherwise it warns and runs the command without the
# variables, and the S3 tests skip.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

if [ -n "${STORAGEGW_TEST_S3_ENDPOINT:-}" ]; then
  exec "$@"
fi

host=127.0.0.1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# unavailable REASON CMD...: no S3 server; fail in CI, else run CMD
# without one.
unavailable() {
  echo "!!! with-s3: $1" >&2
  shift
  if [ "${CI:-}" = "true" ]; then
    echo "!!! with-s3: CI=true: refusing to run the S3 tests without an S3 server." >&2
    exit 1
  fi
  echo "!!! with-s3: the S3 tests will be SKIPPED." >&2
  exec "$@"
}

if ! bin="$("$here/install-versitygw.sh")"; then
  unavailable "could not install versitygw (see above)" "$@"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/storagegw-s3.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$tmp/data"
access="test$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
secret="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"

# answers PORT: does an HTTP server answer there?
answers() {
  local line
  (exec 3<>"/dev/tcp/$host/$1" && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && read -r -t 2 line <&3 &&
    [[ "$line" == HTTP/* ]]) 2>/dev/null
}

# Pick a free port (nothing connects there); if another process takes it
# before versitygw binds, try another one.
started=""
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && continue
  # Keys go through the environment, not argv, so ps does not show them.
  ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" \
    "$bin" --port "$host:$port" --quiet posix "$tmp/data" >"$tmp/versitygw.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if answers "$port"; then started=yes; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$started" ] && break
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
if [ -z "$started" ]; then
  cat "$tmp/versitygw.log" >&2 || true
  cleanup
  trap - EXIT
  unavailable "versitygw did not start" "$@"
fi
echo "with-s3: versitygw ($bin) on $host:$port, data in $tmp/data" >&2

export STORAGEGW_TEST_S3_ENDPOINT="$host:$port"
export STORAGEGW_TEST_S3_ACCESS_KEY="$access"
export STORAGEGW_TEST_S3_SECRET_KEY="$secret"
status=0
"$@" || status=$?
exit "$status"
