# Gemeinsam — every command a developer or CI runs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,demo]'
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create the virtual environment and install everything.
	$(MANAGE) compile_catalogues

.PHONY: run
run: install ## Migrate, load demo content and serve http://127.0.0.1:8000 with worker and scheduler.
	@echo "Serving over plain http on 127.0.0.1: secure cookies, HSTS and the https redirect are off (GEMEINSAM_INSECURE_HTTP=1)."
	GEMEINSAM_INSECURE_HTTP=1 $(MANAGE) migrate --noinput -v0
	GEMEINSAM_INSECURE_HTTP=1 $(MANAGE) collectstatic --noinput -v0
	GEMEINSAM_INSECURE_HTTP=1 $(MANAGE) seed_demo
	GEMEINSAM_INSECURE_HTTP=1 $(MANAGE) ensure_demo_admin
	GEMEINSAM_INSECURE_HTTP=1 exec $(BIN)/python -m config.supervisor

.PHONY: test
test: install ## Run the whole test suite.
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: check
check: install ## Format check, lint, types, import contract, missing migrations.
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	GEMEINSAM_DATA_DIR=$$(mktemp -d) $(MANAGE) makemigrations --check --dry-run

.PHONY: bench
bench: install ## Benchmark the hot paths against nginx, a Django hello and WordPress (root; ~20 min).
	$(BIN)/python -m bench.run $(BENCH_ARGS)

.PHONY: fmt
fmt: install ## Format the code and fix what the linter can fix.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: messages
messages: install ## Extract translatable strings into the .po catalogues (needs gettext).
	cd gemeinsam && ../$(MANAGE) makemessages -l de --ignore 'tests/*' --no-obsolete
	$(MANAGE) compile_catalogues

.PHONY: clean
clean: ## Remove the virtual environment and caches (keeps var/, your data).
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
