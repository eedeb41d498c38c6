# lightcluster: every task has a target here. `make help` lists them.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help

GO ?= go
CONTROLLER_GEN := $(GO) tool controller-gen
BIN := $(CURDIR)/bin
GO_TEST_FLAGS ?= -count=1
# Tests and vet build with the flags of bin/lightnode (no cgo, trimmed paths), so that
# they reuse its compiled Kubernetes packages instead of compiling them a second time.
GO_NOCGO := CGO_ENABLED=0

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} \
		/^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } \
		/^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Demo

K8S_VERSION = $$($(GO) list -m -f '{{.Version}}' k8s.io/kubernetes)

.PHONY: demo
demo: lightnode build test-hosts-image ## Start a management cluster, the operator, three hosts and the sample cluster on them.
	$(GO) run ./hack/demo --version $(K8S_VERSION) up

.PHONY: demo-down
demo-down: ## Remove everything make demo started.
	$(GO) run ./hack/demo down

##@ Development

.PHONY: generate
generate: ## Generate the deep-copy methods of the API types.
	$(CONTROLLER_GEN) object paths=./api/...

.PHONY: manifests
manifests: ## Generate the CRDs and the operator's RBAC role from the code markers.
	$(CONTROLLER_GEN) crd rbac:roleName=lightcluster-operator \
		paths=./api/... paths=./controllers/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

.PHONY: fmt
fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet on every package, e2e included.
	$(GO_NOCGO) $(GO) vet -trimpath ./...
	$(GO_NOCGO) $(GO) vet -trimpath -tags envtest,e2e ./...

.PHONY: lint
lint: vet ## Check formatting and run go vet.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [[ -n "$$unformatted" ]]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

.PHONY: verify-generated
verify-generated: generate manifests ## Fail when generated files are not committed and current.
	@if [[ -n "$$(git status --porcelain -- api config)" ]]; then \
		echo "generated files differ from the committed ones; run make generate manifests:"; \
		git status --porcelain -- api config; git --no-pager diff --stat -- api config; exit 1; \
	fi

##@ Build

.PHONY: build
build: ## Build the operator into bin/.
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/lightcluster-operator .

.PHONY: bundle
bundle: ## Build runc, the runc shim, the CNI plugins, the pause and CoreDNS images lightnode carries.
	hack/build-bundle.sh

.PHONY: lightnode
lightnode: bundle ## Build bin/lightnode, the node binary, with everything it carries.
	LIGHTNODE_TAGS=bundle hack/build-lightnode.sh

.PHONY: envtest-assets
envtest-assets: ## Build kube-apiserver, etcd and kubectl for envtest into bin/k8s.
	@hack/envtest-assets.sh

##@ Packaging

HELM := $(GO) tool helm
CHART := charts/lightcluster-operator
IMAGE_VERSION = $(shell $(GO) list -m -f '{{.Version}}' k8s.io/kubernetes)

.PHONY: chart-manifests
chart-manifests: manifests ## Copy the generated CRDs and RBAC role into the Helm chart.
	rm -f $(CHART)/files/crds/*.yaml
	cp config/crd/bases/*.yaml $(CHART)/files/crds/
	cp config/rbac/role.yaml $(CHART)/files/rbac/role.yaml

.PHONY: helm-lint
helm-lint: ## Lint the Helm chart with its defaults and with every option on.
	$(HELM) lint --strict $(CHART)
	$(HELM) lint --strict $(CHART) --values test/chart/testdata/all-values.yaml

# bin/lightnode is reused when present: `make lightnode docker-build` rebuilds it first.
$(BIN)/lightnode:
	$(MAKE) lightnode

.PHONY: docker-build
docker-build: build $(BIN)/lightnode ## Build the operator image (FROM scratch, with the lightnode catalog).
	hack/image/build.sh

.PHONY: docker-save
docker-save: build $(BIN)/lightnode ## Build the image and write it as a docker archive into bin/.
	hack/image/build.sh -o $(BIN)/lightcluster-operator-$(IMAGE_VERSION).tar

.PHONY: test-chart
test-chart: ## Run the chart and kustomization tests alone (part of test-unit).
	$(GO_NOCGO) $(GO) test $(GO_TEST_FLAGS) -trimpath ./test/chart/...

##@ Test

.PHONY: test
test: lint verify-generated test-unit test-envtest test-lightnode test-e2e ## Run every test tier.

.PHONY: test-unit
test-unit: ## Run the unit tests (seconds, no root, no network).
	$(GO_NOCGO) $(GO) test $(GO_TEST_FLAGS) -trimpath ./...

.PHONY: test-envtest
test-envtest: ## Run the tests that need a real API server (envtest).
	assets=$$(GO=$(GO) hack/envtest-assets.sh) && KUBEBUILDER_ASSETS=$$assets \
		$(GO_NOCGO) $(GO) test $(GO_TEST_FLAGS) -trimpath -tags envtest \
		./api/... ./controllers/... ./test/envtest/...

.PHONY: test-lightnode
LIGHTNODE_TEST = LIGHTNODE_BIN=$(BIN)/lightnode CGO_ENABLED=0 $(GO) test $(GO_TEST_FLAGS) \
	-trimpath -tags lightnode -timeout 20m

.PHONY: test-lightnode
test-lightnode: lightnode ## Run lightnode server tests on loopback (SQLite, etcd, tokens, kubectl).
	$(LIGHTNODE_TEST) ./node-binary/server/...

.PHONY: test-lightnode-etcd
test-lightnode-etcd: lightnode ## Run the three-member embedded etcd test on loopback.
	$(LIGHTNODE_TEST) -run TestEmbeddedEtcdThreeServers ./node-binary/server/...

.PHONY: test-hosts-image
test-hosts-image: ## Build the test-host image (Debian with systemd and sshd), once per machine.
	hack/hosts/build-image.sh

.PHONY: test-e2e
test-e2e: test-hosts-image lightnode build docker-save ## Run the end-to-end tests against test hosts in containers.
	LIGHTNODE_BIN=$(BIN)/lightnode OPERATOR_BIN=$(BIN)/lightcluster-operator \
		OPERATOR_IMAGE_ARCHIVE=$(BIN)/lightcluster-operator-$(IMAGE_VERSION).tar \
		$(GO) test $(GO_TEST_FLAGS) -tags e2e -timeout 40m ./test/...

##@ Benchmarks

.PHONY: bench
bench: ## Measure lightnode server and agent against upstream processes, cluster DNS start-up, the operator.
	hack/bench/server.sh
	hack/bench/dns.sh
	hack/bench/agent.sh
	assets=$$(GO=$(GO) hack/envtest-assets.sh) && KUBEBUILDER_ASSETS=$$assets \
		$(GO) test -tags envtest -run '^$$' -bench ProvisionHosts -benchtime=1x ./controllers/
