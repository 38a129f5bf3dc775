#!/usr/bin/env bash
# Runs a command with STORAGEGW_TEST_DATABASE_URL pointing at a PostgreSQL
# server, so that the Postgres tests of adapters/postgres run:
#
#   scripts/with-postgres.sh go test ./...
#
# 1. STORAGEGW_TEST_DATABASE_URL already set: use it as is.
# 2. A server answers on 127.0.0.1:${PGPORT_PROBE:-5432}: use it (user postgres, trust auth).
# 3. initdb and pg_ctl found (PATH or /usr/lib/postgresql/*/bin): start a
#    throwaway cluster in a temp dir on a free port, run the command, then
#    stop and remove the cluster.
# 4. Otherwise warn loudly (and fail when CI=true) and run the command
#    without the variable; the Postgres tests then skip.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

host=127.0.0.1
probe_port="${PGPORT_PROBE:-5432}"

if [ -n "${STORAGEGW_TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi

pg_bindir=""
if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
  pg_bindir="$(dirname "$(command -v pg_ctl)")"
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then pg_bindir="$d"; break; fi
  done
fi

# answers PORT: does a PostgreSQL server accept connections there?
answers() {
  local isready
  isready="$(command -v pg_isready || true)"
  [ -z "$isready" ] && [ -n "$pg_bindir" ] && [ -x "$pg_bindir/pg_isready" ] && isready="$pg_bindir/pg_isready"
  if [ -n "$isready" ]; then
    "$isready" -q -h "$host" -p "$1" -t 3
  else
    (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null
  fi
}

if answers "$probe_port"; then
  export STORAGEGW_TEST_DATABASE_URL="postgres://postgres@$host:$probe_port/postgres?sslmode=disable"
  exec "$@"
fi

if [ -z "$pg_bindir" ]; then
  echo "!!! with-postgres: no PostgreSQL on $host:$probe_port and no initdb/pg_ctl to start one." >&2
  echo "!!! The Postgres tests will be SKIPPED. Install PostgreSQL or set STORAGEGW_TEST_DATABASE_URL." >&2
  if [ "${CI:-}" = "true" ]; then
    echo "!!! CI=true: refusing to run without PostgreSQL." >&2
    exit 1
  fi
  exec "$@"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/storagegw-pg.XXXXXX")"
port=55432
while (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do port=$((port + 1)); done

# PostgreSQL refuses to run as root: run it as postgres (or nobody).
as_owner() { "$@"; }
if [ "$(id -u)" = "0" ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || owner=nobody
  chown "$owner" "$tmp"
  as_owner() { runuser -u "$owner" -- "$@"; }
fi

cleanup() {
  as_owner "$pg_bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_owner "$pg_bindir/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
as_owner "$pg_bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-p $port -k $tmp -c listen_addresses=$host -c fsync=off -c full_page_writes=off" start >/dev/null ||
  { cat "$tmp/server.log" >&2; exit 1; }
echo "with-postgres: throwaway PostgreSQL on $host:$port (data in $tmp)" >&2

export STORAGEGW_TEST_DATABASE_URL="postgres://postgres@$host:$port/postgres?sslmode=disable"
status=0
"$@" || status=$?
exit "$status"
