# Two commands matter: `make run` (the three services, locally) and `make test`.
# Recipes are plain /bin/sh; the virtualenv lives in .venv and is created on demand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint migrate bench clean

help:
	@echo "make run      start RabbitMQ-backed services locally (ports 8001-8003, mail in var/mail)"
	@echo "make test     start RabbitMQ/PostgreSQL if needed, run pytest (PYTEST_ARGS=... passes through)"
	@echo "make lint     ruff check + mypy"
	@echo "make bench    run every benchmark, write bench/results.md and bench/results.json"
	@echo "make migrate  apply the migrations of the three services"
	@echo "make clean    remove var/ (local databases and saved mail)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@$(BIN)/python deploy/run_local.py

test: $(STAMP)
	PY=$(BIN)/python sh deploy/ensure_services.sh
	$(BIN)/pytest -p no:cacheprovider -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services tests bench

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python -m services.migrate upgrade registration scheduling notifications

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
