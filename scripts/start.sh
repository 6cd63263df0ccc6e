#!/usr/bin/env bash
# Installs what is missing, then starts Practice Observer. Arguments go to the app,
# e.g. --demo to open a separate store of sample data, or --data-dir DIR.
# On a machine with no display the app runs on a virtual one (Xvfb), so it still starts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ] \
   && [ "$(uname -s)" = "Linux" ]; then
  bash scripts/bootstrap.sh --virtual-display
  echo "No display found: starting Practice Observer on a virtual display (Xvfb)." >&2
  exec xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python main.py "$@"
fi
bash scripts/bootstrap.sh
exec .venv/bin/python main.py "$@"
