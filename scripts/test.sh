#!/usr/bin/env bash
# The test command (`make test`): runs every Go test with what the tests
# need brought up by the project's own scripts:
#   - scripts/with-postgres.sh: the local PostgreSQL on 127.0.0.1:5432 (a fresh
#     database per test run, dropped after) or a throwaway cluster;
#   - scripts/with-s3.sh: versitygw, a real S3 server on a random loopback port.
# Outside CI a missing service makes its tests skip with a printed warning;
# with CI=true it fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-postgres.sh scripts/with-s3.sh go test -count=1 "$@" ./...
