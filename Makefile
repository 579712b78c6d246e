# Cairn's build and test entry points. `make run` and `make test` are the two
# commands the README promises.

GO ?= go
DATA ?= ./data
LISTEN ?= 127.0.0.1:9000

.PHONY: run build test test-go test-scale test-e2e vet fuzz bench

run: ## Run the server on embedded defaults.
	$(GO) run ./cmd/cairn server --listen $(LISTEN) --data $(DATA)

build:
	$(GO) build -o bin/cairn ./cmd/cairn

test: vet test-go test-scale test-e2e ## Every test: unit, conformance, integration, crash, fuzz seeds, AWS CLI.

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

test-go:
	$(GO) test -race -timeout 15m ./...

# The race detector makes I/O-heavy tests 5-10x slower, so under -race the
# big-object and 10,000-entry tests shrink; this pass runs them at full size
# (objects over 2 GiB through the SDKs' upload managers, 10,000 parts and
# uploads listed) without it.
test-scale:
	$(GO) test -timeout 10m -run 'Big$$|TenThousand$$' ./internal/s3test/

test-e2e:
	./scripts/e2e-awscli.sh

# Run every fuzz target for FUZZTIME each (seed corpora already run in test-go).
FUZZTIME ?= 30s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

bench:
	./scripts/bench.sh
