# Customer status platform — developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON_SYS ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STACK := deploy/local/stack.sh
SERVICES := deploy/local/services.sh
MEMBERS := libs/contracts libs/platform libs/driver services/status-config services/assignment services/rules-engine services/audit
PYTEST_ARGS ?=
# Local runs, tests, the demo and the bench accept the public development JWT secret only because
# this says so explicitly (services refuse it when CSTATUS_ENV is unset).
export CSTATUS_ENV ?= development
BENCH_ARGS ?=
SOAK_MINUTES ?= 30
SOAK_RATE ?= 2000
RELIABILITY_ARGS ?=
ROLE ?= status:admin
TENANT ?= demo

.PHONY: help setup up down stack-up services-up run demo test test-unit lint duplicates schemas bench soak clean token status reliability chart chart-tools

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: constraints.txt requirements-dev.txt $(addsuffix /pyproject.toml,$(MEMBERS))
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -r requirements-dev.txt $(addprefix -e ,$(MEMBERS))
	@touch $@

setup: $(VENV)/.installed ## create the virtualenv and install every member (pinned)

stack-up: setup ## start Kafka (KRaft), PostgreSQL and Redis on 127.0.0.1 and create the topics
	PYTHON=$(PY) bash $(STACK) up

services-up: setup ## start the four services in the background (needs the stack)
	PYTHON=$(PY) bash $(SERVICES) up

up: stack-up services-up ## start the stack and the four services; waits until ready

down: ## stop the services and the stack
	-bash $(SERVICES) down
	bash $(STACK) down

status: ## what is running
	-bash $(STACK) status
	-bash $(SERVICES) status

run: up ## set up, start everything and play the demo
	@if [ -f demo/run.py ]; then $(PY) demo/run.py; else \
	  echo "The stack and services are up: status-config :8081, assignment :8082, rules-engine :8083, audit :8084"; \
	  echo "Get a token with: make token ROLE=status:admin TENANT=demo   Stop with: make down"; fi

test: stack-up ## set up, start the stack and run the whole suite
	@# In-process service tests must not share topics with running services: stop them first;
	@# the e2e tests then start the four services as separate processes and stop them after.
	bash $(SERVICES) down
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

test-unit: setup ## only the unit tests (no stack needed)
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

lint: setup ## ruff, mypy --strict and the import-linter contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy libs services
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory duplicates

duplicates: setup ## copied code in services and libs: any 6 similar lines in two places fail
	$(VENV)/bin/pylint --recursive=y --disable=all --enable=duplicate-code \
		--min-similarity-lines=6 --ignore-imports=y --score=n services libs

chart-tools: ## install helm and kubeconform (pinned, from the Go module proxy)
	bash deploy/helm/tools.sh

chart: setup chart-tools ## helm lint and a strict kubeconform validation of the chart (default values and deploy/helm/examples)
	PYTHON=$(PY) bash deploy/helm/validate.sh

schemas: setup ## regenerate the JSON Schemas of every contract into schemas/ and the services' AsyncAPI and OpenAPI documents into docs/api/
	$(PY) -m cstatus.contracts.schemas
	$(PY) docs/api/generate.py

reliability: stack-up ## the reliability matrix: faults while load runs, checked against a reference model (tests/reliability)
	bash $(SERVICES) down
	$(PY) tests/reliability/run.py $(RELIABILITY_ARGS)

bench: up ## the SPEC §3 measurements into bench/results/latest.json: make bench BENCH_ARGS="--quick --only checks"
	$(PY) bench/run.py $(BENCH_ARGS)

soak: up ## a steady load for SOAK_MINUTES (30) at SOAK_RATE (2000) events/s: bench/results/soak.json and .png
	$(PY) -m pip install -q -c constraints.txt matplotlib
	$(PY) bench/run.py --soak $(SOAK_MINUTES) --soak-rate $(SOAK_RATE) $(BENCH_ARGS)

token: setup ## print a development JWT: make token ROLE=status:agent TENANT=acme
	@$(PY) -m cstatus.platform.token --role $(ROLE) --tenant $(TENANT)

clean: ## stop everything and remove all local state (.stack)
	-bash $(SERVICES) down
	bash $(STACK) clean
