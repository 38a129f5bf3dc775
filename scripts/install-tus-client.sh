#!/usr/bin/env bash
# Installs tus-js-client, pinned in e2e/tus (with scripts/install-npm.sh:
# cached, keyed by the lock file), and prints the node_modules directory to
# put on NODE_PATH:
#
#   NODE_PATH="$(scripts/install-tus-client.sh)" node e2e/tus/upload.cjs
set -euo pipefail
exec "$(dirname "$0")/install-npm.sh" e2e/tus tus-js-client/package.json
