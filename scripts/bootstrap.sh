#!/usr/bin/env bash
# Installs what Practice Observer needs on Debian 12, each part only when missing:
# Qt's system libraries, a font, Enchant with the British English dictionary, the Python
# venv module, then a virtual environment in .venv with the project (editable) and, with
# --test, its test tools;
# with --virtual-display also Xvfb, for running the window on a machine with no screen;
# with --test also poppler's tools, which the tests use to read and check summaries, and
# Xvfb, D-Bus and at-spi2-core, with which a test reads what screen readers are told;
# and Debian's PostgreSQL 15, on which the team server's tests start a throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_xvfb=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --virtual-display) want_xvfb=1 ;;
  esac
done

system_packages=(
  # Qt offscreen
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
  # Qt in a real X window
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
  # a font Qt can find
  fonts-dejavu-core
  # spell-checking narrative in British English: Enchant and Hunspell's en_GB dictionary
  libenchant-2-2 hunspell-en-gb
)
[ $want_xvfb -eq 1 ] && system_packages+=(xvfb xauth)
# the tests check summaries with poppler's pdftotext, pdfsig and pdftoppm, and read what a
# screen reader hears over AT-SPI from a dialog on a private X display and D-Bus session
[ $want_test -eq 1 ] && system_packages+=(poppler-utils xvfb xauth dbus-daemon at-spi2-core)
# the team server's tests run a throwaway PostgreSQL 15 cluster (tests/support/postgres.py)
[ $want_test -eq 1 ] && system_packages+=(postgresql-15)
python=${PYTHON:-python3}
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  system_packages+=(python3-venv)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${system_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed
target=".[test]"
[ $want_test -eq 0 ] && target="."
installed=$(cat "$stamp" 2>/dev/null || true)
if [ -z "$installed" ] || [ pyproject.toml -nt "$stamp" ] \
   || { [ "$target" = ".[test]" ] && [ "$installed" != ".[test]" ]; }; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e "$target"
  echo "$target" > "$stamp"
fi
# The app's own modules as bytecode, as pip leaves its dependencies: start-up then skips
# compiling them, even where PYTHONDONTWRITEBYTECODE stops Python writing bytecode itself.
.venv/bin/python -m compileall -q -j 0 main.py observer ui >/dev/null
