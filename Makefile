# Two commands matter: `make run` (the three services, locally) and `make test`.
# Recipes are plain /bin/sh; the virtualenv lives in .venv and is created on demand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the lock file or pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
# libfaketime shifts the clock of the tests and of every service they start.
FAKETIME_LIB := /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

.DEFAULT_GOAL := help
.PHONY: help install lock contracts asyncapi run test test-fast test-model test-timeshift lint migrate bench clean

help:
	@echo "make run            start the services locally (ports 8001-8003, mail in var/mail)"
	@echo "make test           start RabbitMQ/PostgreSQL if needed, run the whole suite with coverage"
	@echo "                    (PYTEST_ARGS=... passes through)"
	@echo "make test-fast      unit and use-case tests on SQLite, no broker or PostgreSQL (< 30 s)"
	@echo "make test-model     the stateful property test of the three services, 300 examples"
	@echo "make test-timeshift the suite under libfaketime at +80 and +400 days"
	@echo "make lint           ruff check and format, mypy, import-linter"
	@echo "make contracts      write the JSON Schema snapshots of new event versions"
	@echo "make asyncapi       write the event contract as AsyncAPI 3.0 (docs/asyncapi.yaml, shared/asyncapi.json)"
	@echo "make lock           re-pin requirements.lock and requirements-dev.lock from pyproject.toml"
	@echo "make bench          run every benchmark, write bench/results.md and bench/results.json"
	@echo "make migrate        apply the migrations of the three services"
	@echo "make clean          remove var/ (local databases and saved mail)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The pinned versions first, then the project itself without touching them.
$(STAMP): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	touch $(STAMP)

lock: $(STAMP)
	$(PIP) install pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml

contracts: $(STAMP)
	$(BIN)/python -m shared.contracts.snapshots

asyncapi: $(STAMP)
	$(BIN)/python deploy/asyncapi.py

install: $(STAMP)

run: $(STAMP)
	@$(BIN)/python deploy/run_local.py

test: $(STAMP)
	PY=$(BIN)/python sh deploy/ensure_services.sh
	sh deploy/ensure_kubectl.sh
	$(BIN)/pytest -p no:cacheprovider -q --cov=shared --cov=services --cov-report=term:skip-covered $(PYTEST_ARGS)

# The fast tier: pure rules and use cases on SQLite with the in-memory broker, nothing to start.
test-fast: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -q tests/unit $(PYTEST_ARGS)

# The stateful property test of the three services, long: at least 300 examples.
test-model: $(STAMP)
	PY=$(BIN)/python sh deploy/ensure_services.sh
	MODEL_EXAMPLES=$${MODEL_EXAMPLES:-300} MODEL_STEPS=$${MODEL_STEPS:-25} \
		$(BIN)/pytest -p no:cacheprovider -q -s tests/model $(PYTEST_ARGS)

# The whole suite as if it ran 80 and 400 days from now: no test may depend on today's date.
test-timeshift: $(STAMP)
	PY=$(BIN)/python sh deploy/ensure_services.sh
	sh deploy/ensure_faketime.sh
	for days in 80 400; do \
		echo "== the suite at +$${days} days"; \
		FAKETIME="+$${days}d" LD_PRELOAD=$(FAKETIME_LIB) \
			$(BIN)/pytest -p no:cacheprovider -q $(PYTEST_ARGS) || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services tests bench
	$(BIN)/lint-imports

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python -m services.migrate upgrade registration scheduling notifications webhooks

# Benchmarks measure our path against a raw ceiling in the same run; each merges its figures
# into bench/results.json, and bench/report.py writes bench/results.md from it.
bench: $(STAMP)
	PY=$(BIN)/python sh deploy/ensure_services.sh
	rm -f bench/results.json
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.bus
	$(BIN)/python -m bench.mail
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.e2e
	$(BIN)/python -m bench.report

clean:
	rm -rf var/
