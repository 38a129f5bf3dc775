#!/usr/bin/env bash
# Installs the TypeScript compiler pinned in scripts/ts-examples (package.json
# and package-lock.json, through `npm ci` from the npm registry) into a
# cache directory keyed by the lock file, and prints the path of tsc:
#
#   tsc="$(scripts/install-typescript.sh)"
#
# Reused while the lock file is unchanged. Needs node and npm on PATH.
#
#   STORAGEGW_CACHE_DIR   default ${XDG_CACHE_HOME:-$HOME/.cache}/storagegw
set -euo pipefail
cd "$(dirname "$0")/ts-examples"

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-typescript: $tool is not on PATH" >&2; exit 1; }
done
key="$(sha256sum package-lock.json | cut -c1-16)"
cache="${STORAGEGW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/storagegw}"
dir="$cache/ts-examples-$key"
tsc="$dir/node_modules/typescript/bin/tsc"
if [ -f "$tsc" ]; then
  echo "$tsc"
  exit 0
fi

mkdir -p "$cache"
# Install into a directory of our own and move it into place, so a
# concurrent run never sees a half-installed compiler.
tmp="$(mktemp -d "$cache/.ts-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp package.json package-lock.json "$tmp/"
echo "install-typescript: npm ci in $dir" >&2
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
if ! mv -T "$tmp" "$dir" 2>/dev/null; then
  [ -f "$tsc" ] || { echo "install-typescript: could not move the install into $dir" >&2; exit 1; }
fi
echo "$tsc"
