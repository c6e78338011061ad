# Everyday targets. `make test` is the README's test command.
GO ?= go

.PHONY: build test race vet demo fmt ci
build:
	$(GO) build -o bin/chuyenhoa ./cmd/chuyenhoa

test:
	$(GO) test ./...

race:
	$(GO) test -race ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

demo:
	$(GO) run ./cmd/chuyenhoa demo

fmt:
	gofmt -w $$(git ls-files '*.go')

ci:
	bash .ci/run
