#!/usr/bin/env bash
# The test command (`make test`): runs every Go test with what the tests
# need brought up by the project's own scripts:
#   - scripts/with-postgres.sh: the local PostgreSQL on 127.0.0.1:5432 (a fresh
#     database per test run, dropped after) or a throwaway cluster;
#   - scripts/with-s3.sh: versitygw, a real S3 server on a random loopback port.
# Outside CI a missing service makes its tests skip with a printed warning;
# with CI=true it fails the run. Tests run with the race detector; arguments
# of scripts/test.sh are passed to go test (scripts/test.sh -run TestAPI).
set -euo pipefail
cd "$(dirname "$0")/.."
# Then scripts/doc-check.sh runs every shell command of README.md,
# docs/DEVELOPER_GUIDE.md and docs/OPERATIONAL_RUNBOOK.md against a live
# instance, their SQL against the same PostgreSQL, and the guide's
# TypeScript examples with Node.
exec scripts/with-postgres.sh scripts/with-s3.sh \
  bash -c 'go test -race -count=1 "$@" ./... && scripts/doc-check.sh' test.sh "$@"
