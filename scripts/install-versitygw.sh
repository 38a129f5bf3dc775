#!/usr/bin/env bash
# Installs versitygw (an S3 server, used by the tests of adapters/spaces)
# into a cache directory and prints the binary's path:
#
#   bin="$(scripts/install-versitygw.sh)"
#
# The binary is built from source through the Go module proxy
# (go install github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION),
# which takes a few minutes the first time, and reused afterwards while its
# embedded module version matches. A `go install`ed versitygw reports
# "Version : git" to --version, so the version is read with `go version -m`.
#
#   VERSITYGW_VERSION   default v1.8.0
#   STORAGEGW_BIN_DIR   default ${XDG_CACHE_HOME:-$HOME/.cache}/storagegw/bin
set -euo pipefail

version="${VERSITYGW_VERSION:-v1.8.0}"
bindir="${STORAGEGW_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/storagegw/bin}"
bin="$bindir/versitygw"
module=github.com/versity/versitygw

installed_version() {
  go version -m "$1" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

if [ -x "$bin" ] && [ "$(installed_version "$bin")" = "$version" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "install-versitygw: go is not on PATH" >&2; exit 1; }
mkdir -p "$bindir"
# Build into a directory of our own and move the result into place, so a
# concurrent run never sees a half-written binary.
tmp="$(mktemp -d "$bindir/.install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "install-versitygw: building $module@$version (a few minutes the first time)..." >&2
(cd "$tmp" && GOBIN="$tmp" GOFLAGS= go install "$module/cmd/versitygw@$version") >&2
got="$(installed_version "$tmp/versitygw")"
if [ "$got" != "$version" ]; then
  echo "install-versitygw: built a versitygw of version '$got', want $version" >&2
  exit 1
fi
mv -f "$tmp/versitygw" "$bin"
echo "$bin"
