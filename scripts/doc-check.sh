#!/usr/bin/env bash
# Keeps README.md, docs/DEVELOPER_GUIDE.md and docs/OPERATIONAL_RUNBOOK.md
# true: builds
# storagegw, starts a development instance (SQLite + local disk in a temp
# data dir, a free loopback port), and runs every block fenced ```sh of each
# document in order, in one bash per document (set -euo pipefail), with
# http://localhost:8080 replaced by the instance's URL, `storagegw` on PATH
# and STORAGEGW_DATA_DIR pointing at the instance. Any non-zero exit fails
# the check and names the block. Blocks fenced ```sh no-check (production
# commands) are not run. README.md's blocks run from the repository root,
# as a new user runs them (its quick start uses `go run ./cmd/storagegw token`); the
# others from a scratch directory.
#
# The ```ts blocks of the developer guide are compiled with tsc --strict
# and run with Node against the same instance (see below).
#
# The ```sql blocks of the runbook are run with psql (ON_ERROR_STOP) against
# a fresh, migrated PostgreSQL database when STORAGEGW_TEST_DATABASE_URL is
# set (scripts/with-postgres.sh sets it) or a server answers on
# 127.0.0.1:5432; otherwise they are skipped with a warning (an error when
# CI=true).
#
# Finally the instance gets SIGTERM and must shut down cleanly (exit 0).
#
# Usage: scripts/doc-check.sh [DOC.md ...]   (default: both documents)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

docs=("$@")
[ ${#docs[@]} -gt 0 ] || docs=(README.md docs/DEVELOPER_GUIDE.md docs/OPERATIONAL_RUNBOOK.md)

work="$(mktemp -d "${TMPDIR:-/tmp}/storagegw-doccheck.XXXXXX")"
server_pid=""
pg_admin="" pg_db=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "doc-check: building storagegw" >&2
mkdir -p "$work/bin" "$work/data" "$work/run"
go build -o "$work/bin/storagegw" ./cmd/storagegw

# A free loopback port.
port=$((20000 + RANDOM % 20000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
url="http://127.0.0.1:$port"

export PATH="$work/bin:$PATH"
export STORAGEGW_DATA_DIR="$work/data" STORAGEGW_ADDR="127.0.0.1:$port" STORAGEGW_PUBLIC_URL="$url"
export STORAGEGW_LOG_LEVEL=warn STORAGEGW_LOG_FORMAT=json STORAGEGW_SHUTDOWN_TIMEOUT=10s
unset DATABASE_URL STORAGEGW_CONFIG JWT_HS256_SECRET JWT_JWKS_URL JWT_PUBLIC_KEY_FILE \
  SPACES_ENDPOINT SPACES_BUCKET SPACES_ACCESS_KEY SPACES_SECRET_KEY SPACES_REGION SPACES_CDN_ENDPOINT 2>/dev/null || true

storagegw serve >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; echo "doc-check: the instance did not start" >&2; exit 1; }
  sleep 0.1
done
curl -fsS -o /dev/null "$url/readyz" || { cat "$work/serve.log" >&2; echo "doc-check: the instance is not ready" >&2; exit 1; }
echo "doc-check: instance at $url (data in $work/data)" >&2

# blocks DOC LANG: prints one script that runs every block fenced ```LANG
# (exactly; "```sh no-check" is another fence) in order, each preceded by a
# marker line with the document and line number it starts at.
blocks() {
  awk -v doc="$1" -v lang="$2" '
    /^```/ {
      if (inblock) { inblock = 0; print "__doccheck_block_end"; next }
      fence = $0; sub(/^```/, "", fence); sub(/[ \t]+$/, "", fence)
      if (fence == lang) { inblock = 1; printf "__doccheck_at=%s:%d\n", doc, NR + 1 }
      else { skipping = 1 }
      next
    }
    inblock { print }
  ' "$1"
}

failed=0
for doc in "${docs[@]}"; do
  script="$work/$(basename "$doc" .md).sh"
  {
    echo 'set -eEuo pipefail'
    echo 'trap '"'"'echo "doc-check: FAILED: the block at $__doccheck_at exited $?" >&2'"'"' ERR'
    echo '__doccheck_block_end() { :; }'
    blocks "$doc" sh | sed "s#http://localhost:8080#$url#g"
  } >"$script"
  n=$(grep -c '^__doccheck_at=' "$script" || true)
  echo "doc-check: $doc: running $n sh blocks" >&2
  run_dir="$work/run"
  [ "$(basename "$doc")" = README.md ] && run_dir="$repo"
  if (cd "$run_dir" && bash "$script" >"$work/$(basename "$doc" .md).out" 2>&1); then
    echo "doc-check: $doc: ok" >&2
  else
    failed=1
    echo "doc-check: $doc: FAILED; its output:" >&2
    tail -n 40 "$work/$(basename "$doc" .md).out" >&2
  fi
done

# The TypeScript examples of the developer guide: the ```ts blocks, in
# order, make one module; tsc (pinned in scripts/ts-examples) compiles it
# strictly, and scripts/ts-examples/run.mjs runs it with Node against the
# instance. Without node and npm they are skipped with a warning (an
# error when CI=true).
guide=docs/DEVELOPER_GUIDE.md
if printf '%s\n' "${docs[@]}" | grep -qx "$guide" && grep -q '^```ts$' "$guide"; then
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    mkdir -p "$work/ts"
    blocks "$guide" ts | sed -E 's#^__doccheck_at=(.*)$#// doc-check: \1#; /^__doccheck_block_end$/d' >"$work/ts/guide.ts"
    n=$(grep -c '^// doc-check:' "$work/ts/guide.ts" || true)
    # The generated client's example imports clients/typescript/src as
    # ./storagegw-client/ and openapi-fetch from scripts/ts-examples' packages.
    cp -R clients/typescript/src "$work/ts/storagegw-client"
    if tsc="$(scripts/install-typescript.sh)" && ln -sfn "${tsc%/typescript/bin/tsc}" "$work/ts/node_modules" &&
      node "$tsc" --strict --noUnusedLocals --target es2022 --module es2022 --moduleResolution bundler --lib es2022,dom \
        --skipLibCheck --outDir "$work/ts" "$work/ts/guide.ts" >"$work/ts.out" 2>&1 &&
      member="$(storagegw token --sub doc-check-ts --org org-1 --role member)" &&
      STORAGEGW_TS_MODULES="${tsc%/typescript/bin/tsc}" node scripts/ts-examples/run.mjs "$work/ts/guide.js" "$url" "$member" >>"$work/ts.out" 2>&1; then
      sed 's/^/doc-check: /' "$work/ts.out" >&2
      echo "doc-check: $guide: $n ts blocks compile (tsc --strict) and run" >&2
    else
      failed=1
      echo "doc-check: $guide: the ts blocks FAILED; tsc and node said:" >&2
      tail -n 30 "$work/ts.out" >&2 || true
    fi
  elif [ "${CI:-}" = "true" ]; then
    echo "doc-check: no node/npm to check the ts blocks with (CI=true)" >&2
    failed=1
  else
    echo "doc-check: WARNING: node or npm missing; the ts blocks were NOT checked" >&2
  fi
fi

# SQL blocks against PostgreSQL.
pg_url="${STORAGEGW_TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 -t 3; then
  pg_url="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
fi
sql_docs=()
for doc in "${docs[@]}"; do grep -q '^```sql$' "$doc" && sql_docs+=("$doc"); done
if [ ${#sql_docs[@]} -gt 0 ]; then
  if [ -n "$pg_url" ] && command -v psql >/dev/null 2>&1; then
    pg_admin="$pg_url"
    pg_db="storagegw_doccheck_$RANDOM$RANDOM"
    psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
    db_url="$(printf '%s' "$pg_admin" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/$pg_db#")"
    DATABASE_URL="$db_url" storagegw migrate >/dev/null
    for doc in "${sql_docs[@]}"; do
      sqlfile="$work/$(basename "$doc" .md).sql"
      blocks "$doc" sql | sed -E 's/^__doccheck_at=(.*)$/\\echo doc-check: \1/; /^__doccheck_block_end$/d' >"$sqlfile"
      n=$(grep -c '^\\echo doc-check:' "$sqlfile" || true)
      if psql "$db_url" -X -q -v ON_ERROR_STOP=1 -f "$sqlfile" >"$work/sql.out" 2>&1; then
        echo "doc-check: $doc: $n sql blocks ok on PostgreSQL" >&2
      else
        failed=1
        echo "doc-check: $doc: an sql block FAILED on PostgreSQL:" >&2
        tail -n 20 "$work/sql.out" >&2
      fi
    done
  elif [ "${CI:-}" = "true" ]; then
    echo "doc-check: no PostgreSQL to check the sql blocks against (CI=true)" >&2
    failed=1
  else
    echo "doc-check: WARNING: no PostgreSQL reachable; the sql blocks were NOT checked" >&2
  fi
fi

# A clean shutdown on SIGTERM.
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
if [ "$status" -ne 0 ]; then
  failed=1
  echo "doc-check: the instance exited $status on SIGTERM:" >&2
  tail -n 20 "$work/serve.log" >&2
fi
if grep -q '"level":"error"' "$work/serve.log"; then
  echo "doc-check: note: the instance logged errors:" >&2
  grep '"level":"error"' "$work/serve.log" | tail -n 5 >&2
fi

if [ "$failed" -ne 0 ]; then
  echo "doc-check: FAILED" >&2
  exit 1
fi
echo "doc-check: passed" >&2
