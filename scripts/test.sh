#!/usr/bin/env bash
# Installs what is missing, then runs every check headless: ruff, mypy, the import
# contracts (pyproject.toml), the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-logo --no-cache
# One test process per core (pytest-xdist): every test has its own tmp dirs, and each
# process its own template store. `bash scripts/test.sh -n 0` runs them in this process.
.venv/bin/pytest -n auto --dist worksteal "$@"
