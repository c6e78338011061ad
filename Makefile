# Everyday targets. `make test` is the README's test command.
GO ?= go

.PHONY: build test race vet demo fmt ci bench bench-status fuzz
build:
	$(GO) build -o bin/chuyenhoa ./cmd/chuyenhoa

test:
	$(GO) test ./...

race:
	$(GO) test -race ./...

vet:
	$(GO) vet ./...
	$(GO) vet -tags chuyenhoa_testhooks ./cmd/chuyenhoa
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

demo:
	$(GO) run ./cmd/chuyenhoa demo

fmt:
	gofmt -w $$(git ls-files '*.go')

ci:
	bash .ci/run

# Recompute and mail benchmarks up to the whole country on PostgreSQL
# (CHUYENHOA_TEST_PG) and SQLite; BENCH_SIZES, BENCH_BACKENDS, BENCH_RUNS,
# BENCH_MAIL and BENCH_OUT choose what runs (see BENCHMARKS.md).
bench:
	$(GO) run ./bench

# The status page at national scale, with 1 and 16 clients, against a
# static file of the same size served by the same server, and its memory
# under 50 clients; BENCH_STATUS_DB is a database `chuyenhoa gen` filled
# and the jobs ran on (BENCHMARKS.md, "The status page").
bench-status:
	$(GO) run ./bench/statuspage

# Explore past the committed seeds (testdata/fuzz/*, which every `go test`
# runs) for FUZZTIME per target; a failing input is written next to them.
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzImport$$' -fuzztime $(FUZZTIME) ./csvimport
	$(GO) test -run '^$$' -fuzz '^FuzzConfigParse$$' -fuzztime $(FUZZTIME) ./config
	$(GO) test -run '^$$' -fuzz '^FuzzPropose$$' -fuzztime $(FUZZTIME) ./rules
