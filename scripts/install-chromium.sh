#!/usr/bin/env bash
# Prints the path of the Chromium the browser tests drive (e2e/browser):
# $CHROMIUM when set, else Debian's /usr/bin/chromium, installed here with
# apt-get when it is missing (as root; reused when present).
#
#   chromium="$(scripts/install-chromium.sh)"
set -euo pipefail
if [ -n "${CHROMIUM:-}" ]; then
  [ -x "$CHROMIUM" ] || { echo "install-chromium: CHROMIUM=$CHROMIUM is not an executable" >&2; exit 1; }
  echo "$CHROMIUM"
  exit 0
fi
bin=/usr/bin/chromium
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "install-chromium: no $bin and no apt-get to install it (set CHROMIUM)" >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
# Several test processes may need Chromium at once on a fresh machine: one
# installs while the others wait for it (a lock of our own), and apt-get
# waits for any other package manager's lock rather than failing at once.
lock="${TMPDIR:-/tmp}/storagegw-install-chromium.lock"
exec 9>"$lock"
flock -w 900 9 || { echo "install-chromium: waited 15 min for $lock" >&2; exit 1; }
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
apt=(apt-get -o DPkg::Lock::Timeout=600)
echo "install-chromium: apt-get install chromium" >&2
# A stale package index makes apt-get install fail; refresh it only then.
if ! $sudo env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends chromium >&2; then
  $sudo "${apt[@]}" update -q >&2
  $sudo env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends chromium >&2
fi
[ -x "$bin" ] || { echo "install-chromium: apt-get installed no $bin" >&2; exit 1; }
echo "$bin"
