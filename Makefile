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
export UV_PYTHON ?= $(shell command -v $(PYTHON))
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV_BIN := .venv/bin

.PHONY: help run test test-fast lint format typecheck check bench clean

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

run: .venv/.runtime ## Migrate the embedded SQLite database and serve on 127.0.0.1:8080
	$(VENV_BIN)/api-server run

test: .venv/.dev ## Run the whole test suite (PostgreSQL tests skip loudly when it is absent)
	$(VENV_BIN)/pytest $(PYTEST_ARGS)

lint: .venv/.dev ## ruff check + format check
	$(VENV_BIN)/ruff check src tests bench
	$(VENV_BIN)/ruff format --check src tests bench

format: .venv/.dev ## Apply ruff fixes and formatting
	$(VENV_BIN)/ruff check --fix src tests bench
	$(VENV_BIN)/ruff format src tests bench

typecheck: .venv/.dev ## mypy --strict on src/
	$(VENV_BIN)/mypy

bench: .venv/.dev ## wrk vs baselines on PostgreSQL and SQLite (~4 min); JSON in bench/results/
	bench/ensure_wrk.sh
	$(VENV_BIN)/python -m bench.http_bench $(BENCH_ARGS)
	$(VENV_BIN)/python bench/event_bus_overhead.py

check: lint typecheck test ## Everything CI runs

clean: ## Remove the virtualenv, tools and caches (keeps ./var)
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
