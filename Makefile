# Cairn's build and test entry points. `make run` and `make test` are the two
# commands the README promises.

GO ?= go
DATA ?= ./data
LISTEN ?= 127.0.0.1:9000

.PHONY: run build test test-go test-e2e vet fuzz bench

run: ## Run the server on embedded defaults.
	$(GO) run ./cmd/cairn server --listen $(LISTEN) --data $(DATA)

build:
	$(GO) build -o bin/cairn ./cmd/cairn

test: vet test-go test-e2e ## Every test: unit, conformance, integration, crash, fuzz seeds, AWS CLI.

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

test-go:
	$(GO) test -race -timeout 15m ./...

test-e2e:
	./scripts/e2e-awscli.sh

# Run every fuzz target for FUZZTIME each (seed corpora already run in test-go).
FUZZTIME ?= 30s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

bench:
	./scripts/bench.sh
