# storagegw — the two commands a new machine needs:
#   make run    start the service on its embedded default (SQLite + local disk under ./data)
#   make test   run every test, bringing up PostgreSQL and an S3 server as needed
GO ?= go

.PHONY: run test generate check-generate vet fmt-check build bench-upload bench-hostile bench-audit

run:
	$(GO) run ./cmd/storagegw

test:
	bash scripts/test.sh

build:
	$(GO) build -o bin/storagegw ./cmd/storagegw

# The byte path in one run, each figure next to its reference: uploads to
# versitygw vs direct minio-go PUTs (1 GiB, 8 × 128 MiB) with peak RSS growth,
# local upload vs a disk probe, local download vs http.ServeFile, receipts/s
# on SQLite and PostgreSQL (a few minutes; BENCH_UPLOAD_FLAGS="-size 268435456").
bench-upload:
	bash scripts/bench-upload.sh $(BENCH_UPLOAD_FLAGS)

# The gateway's RSS under slow headers, slow bodies, huge part headers, zip
# attacks and huge methods (127.0.0.1 only, about a minute); add
# BENCH_HOSTILE_FLAGS="-postgres -spaces" for PostgreSQL and versitygw.
bench-hostile:
	bash scripts/bench-hostile.sh $(BENCH_HOSTILE_FLAGS)

# Audited reads and uploads per second next to /healthz, p50/p99, and the
# audit events per group commit, on SQLite and PostgreSQL (127.0.0.1 only,
# under two minutes); BENCH_AUDIT_FLAGS="-duration 10s" for longer runs.
bench-audit:
	bash scripts/bench-audit.sh $(BENCH_AUDIT_FLAGS)

# Regenerate Ent, Wire, the mockery mocks and the TypeScript client's types
# (clients/typescript/src/schema.d.ts, from adapters/http/openapi.json).
generate:
	$(GO) generate ./...
	bash scripts/generate-ts-client.sh

# CI: regenerating must change nothing.
check-generate: generate
	@git diff --exit-code --stat -- . || { echo "generated code is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all)" || { git status --short; echo "generation created untracked files"; exit 1; }

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }
