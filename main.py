"""Starts Practice Observer's window; see `python main.py --help`."""

import os
import sys

from observer.paths import PASSPHRASE_ENV

if os.environ.get(PASSPHRASE_ENV):
    # With no unlock window to show first, the store's modules are imported before Qt's:
    # PySide6's import hook makes every import after it slower (SQLAlchemy's by about 40%).
    import observer.services  # noqa: F401

from ui.app import main

raise SystemExit(main(sys.argv[1:]))
