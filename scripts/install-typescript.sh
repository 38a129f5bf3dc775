#!/usr/bin/env bash
# Installs the TypeScript compiler pinned in scripts/ts-examples (with
# scripts/install-npm.sh: cached, keyed by the lock file) and prints the
# path of tsc:
#
#   tsc="$(scripts/install-typescript.sh)"
set -euo pipefail
modules="$("$(dirname "$0")/install-npm.sh" scripts/ts-examples typescript/bin/tsc)"
echo "$modules/typescript/bin/tsc"
