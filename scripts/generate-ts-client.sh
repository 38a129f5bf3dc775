#!/usr/bin/env bash
# Regenerates clients/typescript/src/schema.d.ts from
# adapters/http/openapi.json with openapi-typescript's default options
# (pinned in clients/typescript, installed by scripts/install-npm.sh). Part
# of `make generate`, so `make check-generate` catches a stale client; e2e
# TestTypeScriptClient checks it too. Without node and npm it warns and
# leaves the file alone (with CI=true it fails).
#
#   scripts/generate-ts-client.sh [OUTPUT]   default clients/typescript/src/schema.d.ts
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-clients/typescript/src/schema.d.ts}"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "generate-ts-client: node and npm are needed" >&2
    exit 1
  fi
  echo "generate-ts-client: WARNING: no node/npm on PATH; $out not regenerated" >&2
  exit 0
fi
modules="$(scripts/install-npm.sh clients/typescript openapi-fetch/package.json)"
node "$modules/openapi-typescript/bin/cli.js" adapters/http/openapi.json --output "$out" >/dev/null
