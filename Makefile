# One task runner for the project: `make help` lists the commands.
# Everything is bootstrapped into the project folder: uv lives in .tools/ (outside .venv, so a
# `uv sync` never removes it) and never downloads a Python interpreter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION ?= 0.13.9
export UV_PYTHON_DOWNLOADS := never
# Installed packages ship as bytecode: without .pyc files (e.g. PYTHONDONTWRITEBYTECODE=1, a
# read-only image) every start compiles ~3,000 modules again and takes seconds, not one.
export UV_COMPILE_BYTECODE := 1
# The interpreter's real path, not a shim's (pyenv): uv compares it with the venv's own, and a
# shim path never matches, so every sync would delete and rebuild .venv.
export UV_PYTHON ?= $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV_BIN := .venv/bin
# `make lint` runs this Redocly CLI on the OpenAPI document (npx fetches it from the npm
# registry once); pinned so that a new release's rules do not fail an unchanged tree.
REDOCLY_CLI_VERSION ?= 2.77.0
REDOCLY_NODE := >= 20.19 or >= 22.12

.PHONY: help run seed test test-fast lint format typecheck check bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.runtime: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --inexact --no-default-groups
	$(VENV_BIN)/python -m compileall -q src
	@touch $@

.venv/.dev: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	$(VENV_BIN)/python -m compileall -q src
	@touch $@ .venv/.runtime

run: .venv/.runtime ## Migrate the database (SQLite by default) and serve on 127.0.0.1:8080
	$(VENV_BIN)/api-server run

seed: .venv/.runtime ## Migrate, then load the small sample data set (idempotent)
	$(VENV_BIN)/api-server-cli db upgrade --yes
	$(VENV_BIN)/api-server-cli seed

test: .venv/.dev ## The whole suite, ~12 min on 2 cores (PostgreSQL tests skip loudly without it)
	$(VENV_BIN)/pytest $(PYTEST_ARGS)

test-fast: .venv/.dev ## All but the reliability and fuzz suites, in parallel: ~4 min on 2 cores
	$(VENV_BIN)/pytest -n auto -m "not reliability and not fuzz" $(PYTEST_ARGS)

lint: .venv/.dev ## ruff check + format check; Redocly's recommended rules on the OpenAPI document
	$(VENV_BIN)/ruff check src tests bench
	$(VENV_BIN)/ruff format --check src tests bench
	@command -v npx >/dev/null || { echo "lint: npx (Node.js $(REDOCLY_NODE)) is needed for Redocly CLI" >&2; exit 1; }
	@# The document of the default settings (every profile): no API_SERVER_* variable, no .env.
	@workdir=$$(mktemp -d) && trap 'rm -rf "$$workdir"' EXIT && \
	  (cd "$$workdir" && env $$(env | grep -o '^API_SERVER_[A-Z0-9_]*' | sed 's/^/-u /') \
	    $(CURDIR)/$(VENV_BIN)/api-server-cli openapi --output openapi.json) && \
	  REDOCLY_TELEMETRY=off npx --yes @redocly/cli@$(REDOCLY_CLI_VERSION) lint \
	    --extends=recommended --format=stylish "$$workdir/openapi.json"

format: .venv/.dev ## Format, then apply ruff's fixes (formats even when findings remain)
	$(VENV_BIN)/ruff format src tests bench
	$(VENV_BIN)/ruff check --fix src tests bench

typecheck: .venv/.dev ## mypy --strict on src/
	$(VENV_BIN)/mypy

bench: .venv/.dev ## wrk vs baselines on PostgreSQL and SQLite (~8 min); JSON in bench/results/
	bench/ensure_wrk.sh
	$(VENV_BIN)/python -m bench.http_bench $(BENCH_ARGS)
	$(VENV_BIN)/python bench/event_bus_overhead.py
	$(VENV_BIN)/python bench/auth_overhead.py
	$(VENV_BIN)/python bench/outbox_relay.py --database postgresql
	$(VENV_BIN)/python bench/outbox_relay.py --database sqlite

check: lint typecheck test ## Everything CI runs

clean: ## Remove the virtualenv, tools and caches (keeps ./var)
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
