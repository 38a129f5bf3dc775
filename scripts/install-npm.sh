#!/usr/bin/env bash
# Installs the npm packages pinned in a project folder of this repository
# (its package.json and package-lock.json, through `npm ci` from the npm
# registry) into a cache directory keyed by the folder's name and lock
# file, and prints that install's node_modules directory:
#
#   modules="$(scripts/install-npm.sh e2e/tus tus-js-client/package.json)"
#
# MARKER is a file under node_modules that a complete install has; the
# install is reused while the lock file is unchanged and MARKER exists.
# Needs node and npm on PATH. scripts/install-typescript.sh is this for
# its folder; the Go tests call it through e2etest.NPM.
#
#   STORAGEGW_CACHE_DIR   default ${XDG_CACHE_HOME:-$HOME/.cache}/storagegw
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: install-npm.sh FOLDER MARKER" >&2; exit 2; }
cd "$(dirname "$0")/../$1"
name="$(basename "$1")"
marker="$2"

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-npm ($name): $tool is not on PATH" >&2; exit 1; }
done
key="$(sha256sum package-lock.json | cut -c1-16)"
cache="${STORAGEGW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/storagegw}"
dir="$cache/$name-$key"
if [ -f "$dir/node_modules/$marker" ]; then
  echo "$dir/node_modules"
  exit 0
fi

mkdir -p "$cache"
# Install into a directory of our own and move it into place, so a
# concurrent run never sees a half-done install.
tmp="$(mktemp -d "$cache/.$name-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp package.json package-lock.json "$tmp/"
echo "install-npm ($name): npm ci in $dir" >&2
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
if ! mv -T "$tmp" "$dir" 2>/dev/null; then
  [ -f "$dir/node_modules/$marker" ] || { echo "install-npm ($name): could not move the install into $dir" >&2; exit 1; }
fi
echo "$dir/node_modules"
