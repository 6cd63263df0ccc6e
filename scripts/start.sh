#!/usr/bin/env bash
# Installs what is missing, then starts Practice Observer. Arguments go to the app,
# e.g. --demo to seed sample data or --data-dir DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python main.py "$@"
