#!/usr/bin/env bash
# Installs tus-js-client, pinned in e2e/tus (package.json and
# package-lock.json, through `npm ci` from the npm registry), into a cache
# directory keyed by the lock file, and prints the node_modules directory
# to put on NODE_PATH:
#
#   NODE_PATH="$(scripts/install-tus-client.sh)" node e2e/tus/upload.mjs
#
# Reused while the lock file is unchanged. Needs node and npm on PATH.
#
#   STORAGEGW_CACHE_DIR   default ${XDG_CACHE_HOME:-$HOME/.cache}/storagegw
set -euo pipefail
cd "$(dirname "$0")/../e2e/tus"

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-tus-client: $tool is not on PATH" >&2; exit 1; }
done
key="$(sha256sum package-lock.json | cut -c1-16)"
cache="${STORAGEGW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/storagegw}"
dir="$cache/tus-client-$key"
if [ -f "$dir/node_modules/tus-js-client/package.json" ]; then
  echo "$dir/node_modules"
  exit 0
fi

mkdir -p "$cache"
# Install into a directory of our own and move it into place, so a
# concurrent run never sees a half-installed client.
tmp="$(mktemp -d "$cache/.tus-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp package.json package-lock.json "$tmp/"
echo "install-tus-client: npm ci in $dir" >&2
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
if ! mv -T "$tmp" "$dir" 2>/dev/null; then
  [ -f "$dir/node_modules/tus-js-client/package.json" ] || { echo "install-tus-client: could not move the install into $dir" >&2; exit 1; }
fi
echo "$dir/node_modules"
